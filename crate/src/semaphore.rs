//! Semaphore and BoundedSemaphore: Python's `threading.Semaphore` and
//! `BoundedSemaphore`.
//!
//! Algorithm: CPython's — a counter under a lock, `acquire` waits while it is 0,
//! `release(n)` adds n and notifies n waiters — with the lock a `Mutex` and the
//! waiting done in the parking lot keyed by this object's address, under the
//! count-then-enqueue-before-unlock protocol of `queue/mod.rs` (no lost wakeups).
//! A bounded semaphore refuses a release that would take the value past its
//! initial bound, changing nothing (Python raises `ValueError`; the front end
//! throws `RangeError`).
//!
//! Not fair, like Python's: a thread that arrives while a woken waiter is on its
//! way back may take the permit first; the waiter then waits again. Permits are
//! never lost or duplicated: every change of `value` happens under `inner`.
//!
//! Invariant (under `inner`): `value <= bound` for a bounded semaphore.

use crate::error::Result;
use crate::park::{self, Timeout, TOKEN_NORMAL};
use crate::sync::{lock, Mutex};

struct Inner {
    value: u64,
    /// Threads parked (or about to park) in `acquire`.
    waiters: u64,
}

/// A counting semaphore, optionally bounded.
pub struct Semaphore {
    /// `Some(limit)` for a BoundedSemaphore.
    bound: Option<u64>,
    inner: Mutex<Inner>,
}

impl Semaphore {
    /// A semaphore holding `value` permits; `bounded` makes `value` the limit.
    pub fn new(value: u64, bounded: bool) -> Semaphore {
        Semaphore {
            bound: bounded.then_some(value),
            inner: Mutex::new(Inner { value, waiters: 0 }),
        }
    }

    /// A bounded semaphore whose limit differs from its starting value (the
    /// front end always passes them equal; this keeps the model general).
    pub fn with_bound(value: u64, bound: Option<u64>) -> Semaphore {
        Semaphore {
            bound,
            inner: Mutex::new(Inner { value, waiters: 0 }),
        }
    }

    fn key(&self) -> usize {
        self as *const Semaphore as usize
    }

    /// The limit of a bounded semaphore.
    pub fn bound(&self) -> Option<u64> {
        self.bound
    }

    /// Takes one permit, waiting at most `timeout` while there is none.
    pub fn acquire(&self, timeout: Timeout) -> Result<bool> {
        let taken = park::wait_until(
            self.key(),
            &self.inner,
            timeout,
            |g| &mut g.waiters,
            |g| (g.value > 0).then(|| g.value -= 1),
        )?;
        Ok(taken.is_some())
    }

    /// Adds `n` permits and wakes up to `n` waiters. False (and no change) when
    /// a bounded semaphore would go past its limit, or the value would overflow.
    pub fn release(&self, n: u64) -> bool {
        let mut g = lock(&self.inner);
        let Some(value) = g.value.checked_add(n) else {
            return false;
        };
        if self.bound.is_some_and(|b| value > b) {
            return false;
        }
        g.value = value;
        // `waiters` may count threads already woken but not yet back: an unpark
        // that finds nobody parked is harmless, and each woken thread re-checks.
        let wake = n.min(g.waiters);
        drop(g);
        for _ in 0..wake {
            if park::unpark_one(self.key(), |_| TOKEN_NORMAL).unparked_threads == 0 {
                break;
            }
        }
        true
    }

    /// The number of permits (a snapshot).
    pub fn value(&self) -> u64 {
        lock(&self.inner).value
    }
}
