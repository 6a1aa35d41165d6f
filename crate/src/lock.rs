//! Lock: Python's `threading.Lock`, a mutex that any thread may release.
//!
//! Algorithm: parking_lot's `RawMutex` (one state byte, an inline one-CAS fast
//! path, a cold slow path that spins briefly and then parks in `park.rs` keyed by
//! the state's address), changed in one way: there is no owner, so `release` may
//! race with another `release`. Every state update on the release side is
//! therefore a compare-exchange that re-checks `LOCKED_BIT`, and exactly one of
//! two racing releases of one acquisition returns true.
//!
//! Fairness: not fair, like Python's lock, but not starving: when the parking
//! lot's fairness timer fires (every ~0.5 ms per bucket), a release hands the lock
//! directly to the longest-waiting thread (`TOKEN_HANDOFF`) instead of unlocking.
//!
//! Not done: timeouts under loom (see `sync.rs`); re-entrancy (RLock is a wrapper
//! in the front end's terms, not here).

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout, UnparkResult, TOKEN_HANDOFF, TOKEN_NORMAL};
use crate::sync::{spin_hint, AtomicU32, Ordering};

/// Set while the lock is held.
const LOCKED_BIT: u32 = 1;
/// Set while threads may be parked on the lock (cleared only under the bucket lock).
const PARKED_BIT: u32 = 2;
/// Set while async waiters may be watching the epoch: the release must come here,
/// whose caller bumps the epoch (see `mark_waiting`). Any release here clears it.
const WATCHED_BIT: u32 = 4;

/// Spins before parking, only while nobody is parked (as parking_lot's SpinWait).
const SPIN_LIMIT: u32 = if cfg!(loom) { 0 } else { 40 };

/// A mutex with Python `Lock` semantics.
pub struct Lock {
    /// | LOCKED | PARKED | meaning                                              |
    /// |--------|--------|------------------------------------------------------|
    /// | 0      | 0      | free, nobody parked                                  |
    /// | 1      | 0      | held, nobody parked: release is one CAS              |
    /// | 0      | 1      | free, but threads may be parked (they were just woken, or are about to retry) |
    /// | 1      | 1      | held, threads parked: release goes through the parking lot |
    ///
    /// Invariant (parking_lot's): PARKED_BIT is cleared only under the parking-lot
    /// bucket lock for this key, and a thread parks only after seeing
    /// `LOCKED | PARKED` under that same lock, so a release cannot miss a waiter.
    ///
    /// WATCHED (not in the table) rides along any state: it only sends the
    /// release here, and only a release here clears it.
    ///
    /// Outside loom the word is a shared cell (`words.rs`) that JS also
    /// compare-exchanges, taking two steps this file takes too: set LOCKED when
    /// clear (keeping the other bits), and LOCKED → 0 exactly (nobody parked or
    /// watching). So the table and the invariant hold whichever side steps.
    state: crate::words::Cell,
}

impl Default for Lock {
    fn default() -> Self {
        Lock::new()
    }
}

impl Lock {
    /// A new, unlocked lock.
    pub fn new() -> Lock {
        Lock {
            state: crate::words::Cell::new(),
        }
    }

    #[inline]
    fn state(&self) -> &AtomicU32 {
        self.state.u32()
    }

    /// The index of the shared cell holding the state word (see `words.rs`).
    pub fn cell(&self) -> Option<u32> {
        self.state.index()
    }

    fn key(&self) -> usize {
        self.state() as *const AtomicU32 as usize
    }

    /// Acquires, waiting at most `timeout`. `Ok(false)` on timeout.
    #[inline]
    pub fn acquire(&self, timeout: Timeout) -> Result<bool> {
        // Acquire pairs with the Release of whichever `release` freed it.
        if self
            .state()
            .compare_exchange_weak(0, LOCKED_BIT, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return Ok(true);
        }
        if timeout == Timeout::Now {
            return Ok(self.try_acquire());
        }
        self.acquire_slow(timeout)
    }

    /// One attempt, never blocks. Keeps `PARKED_BIT` as found.
    pub fn try_acquire(&self) -> bool {
        let mut s = self.state().load(Ordering::Relaxed);
        loop {
            if s & LOCKED_BIT != 0 {
                return false;
            }
            // Acquire pairs with the Release in `release`/`release_slow`.
            match self.state().compare_exchange_weak(
                s,
                s | LOCKED_BIT,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(x) => s = x,
            }
        }
    }

    #[cold]
    // Under loom SPIN_LIMIT is 0, so the spin branch is dead there on purpose.
    #[cfg_attr(loom, allow(clippy::absurd_extreme_comparisons))]
    fn acquire_slow(&self, timeout: Timeout) -> Result<bool> {
        let deadline = timeout.deadline();
        let mut spins = 0;
        let mut s = self.state().load(Ordering::Relaxed);
        loop {
            if s & LOCKED_BIT == 0 {
                // Barging is allowed even with waiters parked (not fair).
                match self.state().compare_exchange_weak(
                    s,
                    s | LOCKED_BIT,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Ok(true),
                    Err(x) => s = x,
                }
                continue;
            }
            if s & PARKED_BIT == 0 && spins < SPIN_LIMIT {
                spins += 1;
                if spins > SPIN_LIMIT / 2 {
                    std::thread::yield_now();
                } else {
                    for _ in 0..(1u32 << spins.min(6)) {
                        spin_hint();
                    }
                }
                s = self.state().load(Ordering::Relaxed);
                continue;
            }
            if s & PARKED_BIT == 0 {
                if let Err(x) = self.state().compare_exchange_weak(
                    s,
                    s | PARKED_BIT,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    s = x;
                    continue;
                }
            }
            let validate = || {
                self.state().load(Ordering::Relaxed) & (LOCKED_BIT | PARKED_BIT)
                    == LOCKED_BIT | PARKED_BIT
            };
            let timed_out = |was_last: bool| {
                // Under the bucket lock: nobody else parked here, so drop the bit
                // and let the next release take its fast path.
                if was_last {
                    self.state().fetch_and(!PARKED_BIT, Ordering::Relaxed);
                }
            };
            match park::park(self.key(), validate, || {}, timed_out, deadline) {
                // The releaser left LOCKED_BIT set for us; the parking lot's
                // mutexes order its writes before our return.
                ParkResult::Unparked(TOKEN_HANDOFF) => return Ok(true),
                ParkResult::Unparked(_) | ParkResult::Invalid => {}
                ParkResult::TimedOut => return Ok(false),
                ParkResult::Interrupted => return Err(Error::Interrupted),
            }
            spins = 0;
            s = self.state().load(Ordering::Relaxed);
        }
    }

    /// Releases. False, and no change, when it was not locked.
    #[inline]
    pub fn release(&self) -> bool {
        let mut s = self.state().load(Ordering::Relaxed);
        loop {
            if s & LOCKED_BIT == 0 {
                return false;
            }
            if s & PARKED_BIT != 0 {
                return self.release_slow();
            }
            // Release pairs with the Acquire of the next `acquire`.
            match self
                .state()
                .compare_exchange_weak(s, 0, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(x) => s = x,
            }
        }
    }

    /// JS's release step (`lockWordRelease` in `src/backend/native.ts`), for the
    /// loom models, which cannot run JS: LOCKED → 0 only when nothing else is set
    /// (nobody parked, nobody watching). False, and no change, otherwise: the
    /// caller must use `release`, which wakes or lets the epoch move.
    pub fn release_unwatched(&self) -> bool {
        // Release pairs with the Acquire of the next `acquire`.
        self.state()
            .compare_exchange(LOCKED_BIT, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
    }

    #[cold]
    fn release_slow(&self) -> bool {
        let mut released = false;
        park::unpark_one(self.key(), |res: UnparkResult| {
            let mut s = self.state().load(Ordering::Relaxed);
            loop {
                if s & LOCKED_BIT == 0 {
                    // Another release won. The thread we dequeued (if any) just
                    // retries; drop the parked bit if nobody else is queued.
                    if !res.have_more_threads {
                        self.state().fetch_and(!PARKED_BIT, Ordering::Relaxed);
                    }
                    return TOKEN_NORMAL;
                }
                let handoff = res.unparked_threads != 0 && res.be_fair;
                let parked = if res.have_more_threads { PARKED_BIT } else { 0 };
                let new = if handoff { LOCKED_BIT | parked } else { parked };
                // Release pairs with the Acquire of the next acquirer (a handed-off
                // thread synchronizes through the parking lot instead).
                match self.state().compare_exchange_weak(
                    s,
                    new,
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        released = true;
                        return if handoff { TOKEN_HANDOFF } else { TOKEN_NORMAL };
                    }
                    Err(x) => s = x,
                }
            }
        });
        released
    }

    /// Makes the next release take the slow path (which the caller follows with an
    /// epoch bump), for a waiter about to watch the epoch instead of parking. False,
    /// and no change, when the lock is free: the waiter should retry instead.
    pub fn mark_waiting(&self) -> bool {
        let mut s = self.state().load(Ordering::Relaxed);
        loop {
            if s & LOCKED_BIT == 0 {
                return false;
            }
            if s & WATCHED_BIT != 0 {
                return true;
            }
            match self.state().compare_exchange_weak(
                s,
                s | WATCHED_BIT,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(x) => s = x,
            }
        }
    }

    /// Whether it is held right now (a snapshot).
    pub fn locked(&self) -> bool {
        self.state().load(Ordering::Relaxed) & LOCKED_BIT != 0
    }
}
