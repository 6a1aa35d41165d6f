//! Event: Python's `threading.Event`, a flag that threads wait to see set.
//!
//! Algorithm: CPython's (a flag; `wait` blocks while it is clear, `set` wakes
//! every waiter), with the flag in a shared cell (`words.rs`) that JS steps too,
//! so that a set or clear with nobody waiting needs no addon call, and the
//! waiting done in the parking lot keyed by this object's address.
//!
//! The word (u32, wrapping): bit 0 FLAG, bit 1 WAITED, bits 2–31 the number of
//! sets that found the flag clear. WAITED means a thread may be parked here or
//! an async twin may be watching the epoch: a set must then come here (to wake
//! them; the addon also bumps the epoch). The two steps JS takes are this
//! file's `set_fast` (FLAG clear and WAITED clear → FLAG set, count + 1) and
//! `clear` (FLAG → clear, keeping the rest), so whichever side steps, the word
//! means the same.
//!
//! No lost wake-up: a waiter sets WAITED with a compare-exchange from the clear
//! word it checked, under `inner`, and counts and queues itself before it
//! releases `inner` (the count-then-enqueue protocol of `queue/mod.rs`). A fast
//! set after that CAS fails (WAITED), so the set comes here and takes `inner`:
//! it sees the waiter counted and queued. A set before it made the CAS fail,
//! and the waiter sees the flag. The slow set clears WAITED because it wakes
//! everyone: a waiter still not done parks again and sets it again.
//!
//! As in CPython (whose `wait` returns what `Condition.wait` returned), a waiter
//! that was waiting when `set` ran returns true even if `clear` ran before it
//! got back: it compares the count with the one it saw on arrival. The front
//! end's async twins watch the epoch instead.

use crate::error::Result;
use crate::park::{self, Timeout};
use crate::sync::{lock, AtomicU32, Mutex, Ordering};
use crate::words::Cell;

const FLAG: u32 = 1;
const WAITED: u32 = 2;
/// One set, in the count field.
const ONE_SET: u32 = 4;

struct Inner {
    /// Threads parked (or about to park) in `wait`.
    waiters: u64,
}

/// A settable, clearable flag.
pub struct Event {
    inner: Mutex<Inner>,
    /// The word (see the module comment).
    word: Cell,
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

/// Whether a word shows a set since the waiter saw `seen` (whose FLAG was clear).
fn set_since(word: u32, seen: u32) -> bool {
    word & FLAG != 0 || (word ^ seen) & !(FLAG | WAITED) != 0
}

impl Event {
    /// A clear event.
    pub fn new() -> Event {
        Event {
            inner: Mutex::new(Inner { waiters: 0 }),
            word: Cell::new(),
        }
    }

    /// The index of the cell holding the word (see `words.rs`).
    pub fn cell(&self) -> Option<u32> {
        self.word.index()
    }

    fn word(&self) -> &AtomicU32 {
        self.word.u32()
    }

    fn key(&self) -> usize {
        self as *const Event as usize
    }

    /// Whether it is set (a snapshot).
    pub fn is_set(&self) -> bool {
        // Acquire: a caller that sees the flag also sees what the setter wrote before set().
        self.word().load(Ordering::Acquire) & FLAG != 0
    }

    /// JS's set: true when done (or already set); false when a waiter or watcher
    /// is marked, and the set must go through `set`.
    pub fn set_fast(&self) -> bool {
        let mut v = self.word().load(Ordering::Relaxed);
        loop {
            if v & FLAG != 0 {
                return true;
            }
            if v & WAITED != 0 {
                return false;
            }
            // AcqRel, as JS's SeqCst CAS: publishes the setter's writes; orders
            // against a waiter's WAITED mark on the same word.
            match self.word().compare_exchange_weak(
                v,
                v.wrapping_add(ONE_SET) | FLAG,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(x) => v = x,
            }
        }
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        if self.set_fast() {
            return;
        }
        let g = lock(&self.inner);
        let mut v = self.word().load(Ordering::Relaxed);
        loop {
            if v & FLAG != 0 {
                // Another set got there first (and woke whoever it found).
                return;
            }
            let new = (v & !WAITED).wrapping_add(ONE_SET) | FLAG;
            match self
                .word()
                .compare_exchange_weak(v, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(x) => v = x,
            }
        }
        let wake = g.waiters > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key());
        }
    }

    /// Clears the flag (JS's clear too: nobody waits for a clear).
    pub fn clear(&self) {
        // AcqRel, as JS's SeqCst: ordered after a set this thread saw.
        self.word().fetch_and(!FLAG, Ordering::AcqRel);
    }

    /// For an async twin about to watch the epoch: the next set comes here, where
    /// the addon bumps the epoch after it.
    pub fn mark_watched(&self) {
        self.word().fetch_or(WAITED, Ordering::AcqRel);
    }

    /// True once set (at once if set); false when `timeout` passes first.
    pub fn wait(&self, timeout: Timeout) -> Result<bool> {
        let seen = self.word().load(Ordering::Acquire);
        self.wait_since(seen, timeout)
    }

    /// As `wait`, counting every set since the word was `seen` (a waiter that
    /// looked at the word before it came here, and spun on it).
    pub fn wait_since(&self, seen: u32, timeout: Timeout) -> Result<bool> {
        // A set that happened since we looked counts even if cleared again (CPython's pulse).
        if timeout == Timeout::Now {
            // Not through wait_until: its check would leave the WAITED mark, and
            // send the next set through here for no waiter.
            return Ok(set_since(self.word().load(Ordering::Acquire), seen));
        }
        let set = park::wait_until(
            self.key(),
            &self.inner,
            timeout,
            |g| &mut g.waiters,
            |_| {
                let mut v = self.word().load(Ordering::Acquire);
                loop {
                    if set_since(v, seen) {
                        return Some(());
                    }
                    if v & WAITED != 0 {
                        return None;
                    }
                    match self.word().compare_exchange_weak(
                        v,
                        v | WAITED,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => return None,
                        Err(x) => v = x,
                    }
                }
            },
        )?;
        Ok(set.is_some())
    }
}
