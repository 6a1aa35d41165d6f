//! The ring: where a FIFO queue keeps small items in memory that JavaScript
//! reads and writes too, so that a put or a get from JS needs no addon call
//! (`src/backend/queue-lane.ts` is the JS side of this file, step for step).
//!
//! Both sides touch the ring only while holding the queue's lock word (a
//! [`crate::lock::Lock`] that JS takes with one compare-exchange), so the ring
//! itself needs no atomics: the lock's acquire and release order every access.
//!
//! Layout: the ring's state is in the queue's header words (`mod.rs` names them),
//! its [`CAPACITY`] bytes of entries are a [`Block`] of their own, attached the
//! first time JS asks for the queue's lane (a queue that JS never puts to or gets
//! from costs no ring). An entry is a u32 length (native byte order, as JS typed arrays use), the item's bytes, and
//! padding to 4 bytes. `HEAD` is the byte offset of the oldest entry, `TAIL` where
//! the next one goes, `USED` the bytes taken, counting the end of the buffer a
//! wrap skipped. An entry never wraps: one that does not fit before the end
//! starts at 0, leaving [`SKIP`] at its old place when there is room for it (a
//! reader at the end, or at a SKIP, goes to 0). The ring is reset to 0 whenever it
//! empties, so most of the time it does not wrap at all.
//!
//! Invariant (under the lock): `USED <= CAPACITY`; the entries from HEAD to TAIL
//! (across one wrap) are exactly `COUNT` items, oldest first.

use super::{header_word, set_header_word, COUNT, HEAD, TAIL, USED};
use crate::words::Block;

/// Cells of a ring: 8 KiB (a small int's entry takes 20 bytes: 409 of them).
pub const CELLS: usize = 4096;
/// Bytes of entries.
pub const CAPACITY: u32 = (CELLS * 8) as u32;
/// Items larger than this stay out of the ring (they would crowd it).
pub const MAX_ITEM: usize = 512;
/// An entry length that means "the rest of the buffer was skipped".
const SKIP: u32 = u32::MAX;

fn entry_size(len: usize) -> u32 {
    4 + (len as u32).next_multiple_of(4)
}

/// Whether `item` may go in the ring at all (it may still not fit right now).
pub fn takes(item: &[u8]) -> bool {
    item.len() <= MAX_ITEM
}

/// Reads and writes of the ring bytes; every method must be called with the
/// queue's lock held.
pub struct Ring<'a> {
    header: &'a Block,
    data: &'a Block,
}

impl<'a> Ring<'a> {
    /// The ring whose state is in `header` and whose entries are `data` (a block
    /// of [`CELLS`] cells).
    pub fn of(header: &'a Block, data: &'a Block) -> Ring<'a> {
        Ring { header, data }
    }

    fn get(&self, word: usize) -> u32 {
        header_word(self.header, word)
    }

    fn set(&self, word: usize, value: u32) {
        set_header_word(self.header, word, value);
    }

    fn data(&self) -> *mut u8 {
        self.data.bytes()
    }

    fn read_u32(&self, at: u32) -> u32 {
        let mut b = [0u8; 4];
        // SAFETY: `at + 4 <= CAPACITY` (entries and SKIP lie inside the data), and
        // the lock is held, so no other thread writes these bytes meanwhile.
        unsafe { std::ptr::copy_nonoverlapping(self.data().add(at as usize), b.as_mut_ptr(), 4) };
        u32::from_ne_bytes(b)
    }

    fn write(&self, at: u32, bytes: &[u8]) {
        // SAFETY: callers keep `at + bytes.len() <= CAPACITY`; the lock is held, so
        // no other thread reads or writes these bytes meanwhile.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.data().add(at as usize), bytes.len())
        };
    }

    /// Appends `item` if it fits now; false (nothing changed) otherwise.
    pub fn push(&self, item: &[u8]) -> bool {
        if !takes(item) {
            return false;
        }
        let size = entry_size(item.len());
        let (mut tail, used) = (self.get(TAIL), self.get(USED));
        let skipped = if CAPACITY - tail < size {
            CAPACITY - tail
        } else {
            0
        };
        if used + skipped + size > CAPACITY {
            return false;
        }
        if CAPACITY - tail < size {
            if skipped >= 4 {
                self.write(tail, &SKIP.to_ne_bytes());
            }
            tail = 0;
        }
        self.write(tail, &(item.len() as u32).to_ne_bytes());
        self.write(tail + 4, item);
        self.set(TAIL, tail + size);
        self.set(USED, used + skipped + size);
        self.set(COUNT, self.get(COUNT) + 1);
        true
    }

    /// Removes the oldest item, if any.
    pub fn pop(&self) -> Option<Vec<u8>> {
        let count = self.get(COUNT);
        if count == 0 {
            return None;
        }
        let (mut head, mut used) = (self.get(HEAD), self.get(USED));
        if head == CAPACITY || self.read_u32(head) == SKIP {
            used -= CAPACITY - head;
            head = 0;
        }
        let len = self.read_u32(head) as usize;
        let mut item = vec![0u8; len];
        // SAFETY: the entry at `head` holds `len` bytes inside the data (written by
        // a push under the lock, which is held now).
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.data().add(head as usize + 4),
                item.as_mut_ptr(),
                len,
            )
        };
        let size = entry_size(len);
        if count == 1 {
            self.set(HEAD, 0);
            self.set(TAIL, 0);
            self.set(USED, 0);
        } else {
            self.set(HEAD, head + size);
            self.set(USED, used - size);
        }
        self.set(COUNT, count - 1);
        Some(item)
    }
}
