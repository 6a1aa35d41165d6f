//! The ring: where a FIFO queue keeps small items in memory that JavaScript
//! reads and writes too, so that a put or a get from JS needs no addon call and
//! no lock (`src/backend/queue-lane.ts` is the JS side of this file, step for
//! step; change both together).
//!
//! Algorithm: Dmitry Vyukov's bounded MPMC queue. Each of [`SLOTS`] slots has a
//! sequence word; producers claim positions by a compare-exchange on `TAIL`,
//! consumers on `HEAD` (the queue's header words, `mod.rs` names them), and a
//! slot's sequence says whose turn it is at the slot:
//!
//! | sequence of the slot for position `p` | meaning                              |
//! |---------------------------------------|--------------------------------------|
//! | `p`                                   | free: a producer at `p` may claim it |
//! | `p + 1`                               | holds the item put at `p`            |
//! | `p - SLOTS + 1` (the lap before)      | still holds an older item: full      |
//!
//! A producer claims `p` (CAS `TAIL` p → p+1), writes the item, then stores
//! sequence `p + 1` (release); a consumer claims `p` (CAS `HEAD`) once it reads
//! `p + 1` (acquire), copies the item, then stores `p + SLOTS`, freeing the slot
//! for the next lap. Producer and consumer write different header words, each on
//! a cache line of its own, so they meet only at the slots they hand over: two
//! threads streaming items move about one line per item, not the three a lock
//! word, a shared count and the slot would move.
//!
//! Positions and sequences count modulo 2^31 (compared by their 31-bit signed
//! distance): `TAIL`'s top bit is [`CLOSED`]. The queue closes the ring (under
//! its mutex) before it puts an item in its store ("the side": items too large
//! for a slot, or that found every slot taken), and opens it again once the side
//! is empty: a closed ring takes no put but the queue's own refill, so every ring
//! item is older than every side item, and the order is FIFO across the two. The
//! close is a compare-exchange on `TAIL` too, so a producer cannot claim a slot
//! after the queue decided, under its mutex, how many items there are.
//!
//! A slot is [`SLOT_WORDS`] 32-bit words: the sequence, the item's length, and
//! its bytes packed into the rest in native byte order (as JS typed arrays see
//! them). Every access is atomic (the bytes are relaxed, ordered by the
//! sequence's release and acquire), so the ring needs no `unsafe`, and loom
//! checks it as it ships (`tests/loom_queue.rs`).
//!
//! A position claimed and never published (the thread that claimed it ended in
//! between: an isolate terminated mid-put) stops the ring at that slot: later
//! gets see an empty queue. Only a `terminate()` of a worker that is putting at
//! that instant does that; at exit, the waits end anyway (`interrupt_all`).

use super::{HEAD, TAIL};
use crate::sync::{AtomicU32, Ordering};
use crate::words::Block;

/// Slots in a ring (a power of two: positions wrap at 2^31).
#[cfg(not(loom))]
pub const SLOTS: u32 = 256;
/// Two slots under loom: a model wraps the ring with two items.
#[cfg(loom)]
pub const SLOTS: u32 = 2;
/// Words per slot: 128 bytes, so that a small object (~80 bytes encoded) fits.
const SLOT_WORDS: usize = 32;
/// Cells of a ring's block (32 KiB).
pub const CELLS: usize = SLOTS as usize * SLOT_WORDS / 2;
/// Items larger than this go to the side.
pub const MAX_ITEM: usize = (SLOT_WORDS - 2) * 4;
/// `TAIL`'s top bit: only the queue itself, under its mutex, may put.
pub const CLOSED: u32 = 1 << 31;
const POSITION: u32 = CLOSED - 1;
/// The lane leaves each position that is a multiple of this (but 0) to the
/// queue's own put, which counts the ring's puts as tasks then (`mod.rs`
/// `fold_ring_puts`): so at most twice this many positions pass between two
/// counts, far from a wrap.
pub const FOLD_EVERY: u32 = 1 << 26;

/// Positions from `from` to `to` (31-bit, `to` not behind `from`).
pub fn positions_between(from: u32, to: u32) -> u32 {
    to.wrapping_sub(from) & POSITION
}

/// `a - b` as a signed distance between 31-bit positions.
fn distance(a: u32, b: u32) -> i32 {
    (a.wrapping_sub(b) << 1) as i32 >> 1
}

fn next(position: u32, by: u32) -> u32 {
    position.wrapping_add(by) & POSITION
}

/// Who puts, which says what [`Ring::push`] may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pusher {
    /// JS's lane (or its Rust twin): not when closed, nor at a fold position.
    Lane,
    /// The queue's put, under its mutex: not when closed.
    Queue,
    /// The queue's refill from the side, under its mutex (the ring is closed).
    Refill,
}

/// Outcome of [`Ring::push`].
#[derive(Debug, PartialEq, Eq)]
pub enum Push {
    /// Put.
    Done,
    /// The bound is reached, every slot is taken, or the item is too large.
    NoRoom,
    /// The ring is closed (to the lane: or the position is a fold's).
    Closed,
}

/// A ring: its positions in the queue's `header`, its slots in `data`.
pub struct Ring<'a> {
    header: &'a [AtomicU32],
    slots: &'a [AtomicU32],
}

impl<'a> Ring<'a> {
    /// Sets every slot free for the first lap; the ring's block must be new and
    /// not yet seen by another thread.
    pub fn init(data: &Block) {
        for (slot, seq) in data.words().iter().step_by(SLOT_WORDS).enumerate() {
            seq.store(slot as u32, Ordering::Relaxed);
        }
    }

    /// The ring whose positions are in `header` and whose slots are `data` (a
    /// block of [`CELLS`] cells, set up by [`Ring::init`]).
    pub fn of(header: &'a Block, data: &'a Block) -> Ring<'a> {
        Ring {
            header: header.words(),
            slots: data.words(),
        }
    }

    fn sequence(&self, position: u32) -> &AtomicU32 {
        &self.slots[(position % SLOTS) as usize * SLOT_WORDS]
    }

    /// Items put and not yet got (claimed positions included): a snapshot.
    #[allow(clippy::len_without_is_empty)] // the queue asks `ready`, which says more
    pub fn len(&self) -> u32 {
        positions_between(self.header[HEAD].load(Ordering::SeqCst), self.tail())
    }

    /// The next position to put at.
    pub fn tail(&self) -> u32 {
        self.header[TAIL].load(Ordering::SeqCst) & POSITION
    }

    /// Whether the next get would find an item (for a getter about to park).
    pub fn ready(&self) -> bool {
        let head = self.header[HEAD].load(Ordering::SeqCst);
        self.sequence(head).load(Ordering::SeqCst) == next(head, 1)
    }

    /// Puts `item` unless the ring holds `bound` items (0: no bound), every slot
    /// is taken, the item is larger than [`MAX_ITEM`], or `by` may not put now
    /// (see [`Pusher`]).
    pub fn push(&self, item: &[u8], bound: u32, by: Pusher) -> Push {
        if item.len() > MAX_ITEM {
            return Push::NoRoom;
        }
        let tail = &self.header[TAIL];
        let mut t = tail.load(Ordering::SeqCst);
        let position = loop {
            if t & CLOSED != 0 && by != Pusher::Refill {
                return Push::Closed;
            }
            let p = t & POSITION;
            if by == Pusher::Lane && p.is_multiple_of(FOLD_EVERY) && p != 0 {
                return Push::Closed;
            }
            if bound != 0
                && p.wrapping_sub(self.header[HEAD].load(Ordering::SeqCst)) & POSITION >= bound
            {
                return Push::NoRoom;
            }
            let d = distance(self.sequence(p).load(Ordering::Acquire), p);
            if d < 0 {
                return Push::NoRoom;
            }
            if d > 0 {
                // Another producer claimed `p` since `t` was read.
                t = tail.load(Ordering::SeqCst);
                continue;
            }
            match tail.compare_exchange_weak(
                t,
                t & CLOSED | next(p, 1),
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => break p,
                Err(now) => t = now,
            }
        };
        let at = (position % SLOTS) as usize * SLOT_WORDS;
        self.slots[at + 1].store(item.len() as u32, Ordering::Relaxed);
        for (word, bytes) in self.slots[at + 2..].iter().zip(item.chunks(4)) {
            let mut b = [0u8; 4];
            b[..bytes.len()].copy_from_slice(bytes);
            word.store(u32::from_ne_bytes(b), Ordering::Relaxed);
        }
        self.slots[at].store(next(position, 1), Ordering::Release);
        Push::Done
    }

    /// Takes the oldest item, if it is published.
    pub fn pop(&self) -> Option<Vec<u8>> {
        let head = &self.header[HEAD];
        let mut position = head.load(Ordering::SeqCst);
        loop {
            let d = distance(
                self.sequence(position).load(Ordering::Acquire),
                next(position, 1),
            );
            if d < 0 {
                return None;
            }
            if d > 0 {
                // Another consumer took it since `position` was read.
                position = head.load(Ordering::SeqCst);
                continue;
            }
            match head.compare_exchange_weak(
                position,
                next(position, 1),
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => break,
                Err(now) => position = now,
            }
        }
        let at = (position % SLOTS) as usize * SLOT_WORDS;
        let len = self.slots[at + 1].load(Ordering::Relaxed) as usize;
        let mut item = Vec::with_capacity(len);
        for word in &self.slots[at + 2..at + 2 + len.div_ceil(4)] {
            item.extend_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
        }
        item.truncate(len);
        self.slots[at].store(next(position, SLOTS), Ordering::Release);
        Some(item)
    }

    /// Closes the ring to producers other than the queue itself.
    pub fn close(&self) {
        self.header[TAIL].fetch_or(CLOSED, Ordering::SeqCst);
    }

    /// Opens the ring again (the side is empty).
    pub fn open(&self) {
        self.header[TAIL].fetch_and(POSITION, Ordering::SeqCst);
    }
}
