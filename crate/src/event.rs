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

use crate::error::Result;
use crate::park::{self, Timeout};
use crate::sync::{lock, Mutex};

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
}

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
        }
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
        let wake = g.waiters > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key());
        }
    }

    /// Clears the flag.
    pub fn clear(&self) {
        lock(&self.inner).flag = false;
    }

    /// True once set (at once if set); false when `timeout` passes first.
    pub fn wait(&self, timeout: Timeout) -> Result<bool> {
        let seen = lock(&self.inner).sets;
        // A set that happened since we looked counts even if cleared again (CPython's pulse).
        let set = park::wait_until(
            self.key(),
            &self.inner,
            timeout,
            |g| &mut g.waiters,
            |g| (g.flag || g.sets != seen).then_some(()),
        )?;
        Ok(set.is_some())
    }
}
