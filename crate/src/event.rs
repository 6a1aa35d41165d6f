//! Event: Python's `threading.Event`, a flag that threads wait to see set.
//!
//! Algorithm: CPython's — a flag under a lock, `wait` blocks while it is clear,
//! `set` wakes every waiter — with the waiting done in the parking lot keyed by
//! this object's address, under the count-then-enqueue-before-unlock protocol of
//! `queue/mod.rs`: `set` changes the flag under `inner`, so a waiter either sees
//! it or is already queued when `set` unparks everyone.
//!
//! As in CPython (whose `wait` returns what `Condition.wait` returned), a waiter
//! that was waiting when `set` ran returns true even if `clear` ran before it
//! got back: `sets` counts the `set` calls, and a waiter compares it with the
//! count it saw on arrival. The front end's async twins watch the epoch instead.
//!
//! The flag and the low 31 bits of `sets` are mirrored in a shared cell
//! (`words.rs`) as `sets << 1 | flag`, written under `inner` by `set` and
//! `clear`: JS reads it to answer `isSet()` and to wait briefly by spinning
//! before it parks here, and hands the value it first saw to `wait_since`, so
//! a pulse (set then clear) during the spin still counts, as in CPython.

use crate::error::Result;
use crate::park::{self, Timeout};
use crate::sync::{lock, Mutex, Ordering};
use crate::words::Cell;

struct Inner {
    flag: bool,
    /// Number of `set` calls (wrapping): a change tells a waiter it was set.
    sets: u64,
    /// Threads parked (or about to park) in `wait`.
    waiters: u64,
}

/// A settable, clearable flag.
pub struct Event {
    inner: Mutex<Inner>,
    /// `sets << 1 | flag` (see the module comment); written under `inner` only.
    mirror: Cell,
}

/// The mirror's sets field: 31 bits, compared as such.
const SETS_MASK: u64 = 0x7fff_ffff;

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl Event {
    /// A clear event.
    pub fn new() -> Event {
        Event {
            inner: Mutex::new(Inner {
                flag: false,
                sets: 0,
                waiters: 0,
            }),
            mirror: Cell::new(),
        }
    }

    /// The index of the cell mirroring the flag (see `words.rs`).
    pub fn cell(&self) -> Option<u32> {
        self.mirror.index()
    }

    fn publish(&self, g: &Inner) {
        // Release: a JS reader that sees the flag also sees what the setter wrote before set().
        let word = ((g.sets & SETS_MASK) << 1) as u32 | u32::from(g.flag);
        self.mirror.u32().store(word, Ordering::Release);
    }

    fn key(&self) -> usize {
        self as *const Event as usize
    }

    /// Whether it is set (a snapshot).
    pub fn is_set(&self) -> bool {
        lock(&self.inner).flag
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        let mut g = lock(&self.inner);
        g.flag = true;
        g.sets = g.sets.wrapping_add(1);
        self.publish(&g);
        let wake = g.waiters > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key());
        }
    }

    /// Clears the flag.
    pub fn clear(&self) {
        let mut g = lock(&self.inner);
        g.flag = false;
        self.publish(&g);
    }

    /// True once set (at once if set); false when `timeout` passes first.
    pub fn wait(&self, timeout: Timeout) -> Result<bool> {
        let seen = lock(&self.inner).sets & SETS_MASK;
        self.wait_since(seen as u32, timeout)
    }

    /// As `wait`, counting every `set` since the mirror showed `seen >> 1` as
    /// its sets field (a waiter that looked at the mirror before it came here).
    pub fn wait_since(&self, seen: u32, timeout: Timeout) -> Result<bool> {
        let seen = u64::from(seen) & SETS_MASK;
        // A set that happened since we looked counts even if cleared again (CPython's pulse).
        let set = park::wait_until(
            self.key(),
            &self.inner,
            timeout,
            |g| &mut g.waiters,
            |g| (g.flag || g.sets & SETS_MASK != seen).then_some(()),
        )?;
        Ok(set.is_some())
    }
}
