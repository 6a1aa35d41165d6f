//! RLock: Python's `threading.RLock`, a re-entrant lock owned by a thread.
//!
//! Algorithm: parking_lot's `RawReentrantMutex` — a plain [`Lock`] plus an owner
//! and a count. The owner is the caller's *logical* thread (its thread record
//! handle, passed from JS), never the OS thread id: an isolate's calls may run
//! on different OS threads, and two isolates never share a record.
//!
//! Why `owner` can be read without the lock (parking_lot's argument): a thread
//! only ever finds its own id in `owner` if it stored it itself, and it stores
//! it only while holding `lock`, clearing it before it releases `lock`. Another
//! thread may read a stale id, but never its own, so "am I the owner?" is exact
//! for the asker. `count` is only touched by the owner while it holds `lock`.
//!
//! Invariants: `owner != 0` ⇔ (`lock` is held by this RLock's owner and
//! `count >= 1`), except in the instants between acquiring `lock` and storing
//! the owner, and between clearing the owner and releasing `lock`. Owner ids
//! must be non-zero (thread record handles are).
//!
//! Not done: Python's `_is_owned` fallback for foreign locks; counts past 2^64.

use crate::error::Result;
use crate::lock::Lock;
use crate::park::Timeout;
use crate::sync::{AtomicU32, AtomicU64, Ordering};

/// Outcome of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RRelease {
    /// One level released; `freed` when that was the last (the lock is free).
    Released {
        /// The lock became free (the epoch must move).
        freed: bool,
    },
    /// The caller does not own it (or nobody does): nothing changed.
    NotOwner,
}

/// A re-entrant lock.
pub struct RLock {
    lock: Lock,
    /// The owning thread record, 0 when free (see the module docs for why
    /// Relaxed loads are exact for the asker).
    owner: AtomicU32,
    /// Acquisitions by the owner not yet released; written only by the owner.
    count: AtomicU64,
}

impl Default for RLock {
    fn default() -> Self {
        RLock::new()
    }
}

impl RLock {
    /// A new, free RLock.
    pub fn new() -> RLock {
        RLock {
            lock: Lock::new(),
            owner: AtomicU32::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn owned_by(&self, owner: u32) -> bool {
        // Relaxed: only our own store can make this true (module docs).
        owner != 0 && self.owner.load(Ordering::Relaxed) == owner
    }

    /// Acquires once for `owner`, waiting at most `timeout`; re-entry by the
    /// owner never blocks. `Ok(false)` on timeout.
    pub fn acquire(&self, owner: u32, timeout: Timeout) -> Result<bool> {
        self.acquire_count(owner, 1, timeout)
    }

    /// Acquires and sets the count to `count` (at least 1): Python's
    /// `_acquire_restore` after a `Condition.wait`. Re-entry adds `count`.
    pub fn acquire_count(&self, owner: u32, count: u64, timeout: Timeout) -> Result<bool> {
        let count = count.max(1);
        if self.owned_by(owner) {
            let c = self.count.load(Ordering::Relaxed);
            self.count.store(c.saturating_add(count), Ordering::Relaxed);
            return Ok(true);
        }
        if !self.lock.acquire(timeout)? {
            return Ok(false);
        }
        // Relaxed: `lock`'s acquire/release order these stores for the next owner.
        self.count.store(count, Ordering::Relaxed);
        self.owner.store(owner, Ordering::Relaxed);
        Ok(true)
    }

    /// The owner's id, 0 when free: a snapshot, only for reporting an owner that died.
    pub fn owner(&self) -> u32 {
        self.owner.load(Ordering::Relaxed)
    }

    /// Releases one level for `owner`.
    pub fn release(&self, owner: u32) -> RRelease {
        if !self.owned_by(owner) {
            return RRelease::NotOwner;
        }
        let c = self.count.load(Ordering::Relaxed);
        if c > 1 {
            self.count.store(c - 1, Ordering::Relaxed);
            return RRelease::Released { freed: false };
        }
        self.free();
        RRelease::Released { freed: true }
    }

    /// Releases every level `owner` holds (Python's `_release_save`); returns
    /// how many, 0 (and no change) when `owner` does not own it.
    pub fn release_all(&self, owner: u32) -> u64 {
        if !self.owned_by(owner) {
            return 0;
        }
        let c = self.count.load(Ordering::Relaxed).max(1);
        self.free();
        c
    }

    fn free(&self) {
        self.count.store(0, Ordering::Relaxed);
        // Cleared before `lock` is released, so the next owner never sees ours.
        self.owner.store(0, Ordering::Relaxed);
        self.lock.release();
    }

    /// Whether anyone holds it (a snapshot).
    pub fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// Whether `owner` holds it.
    pub fn is_owned(&self, owner: u32) -> bool {
        self.owned_by(owner)
    }

    /// The owner's recursion count when `owner` holds it, else 0.
    pub fn count(&self, owner: u32) -> u64 {
        if self.owned_by(owner) {
            self.count.load(Ordering::Relaxed)
        } else {
            0
        }
    }
}
