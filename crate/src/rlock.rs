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
//! the owner, and between clearing the owner and releasing `lock` (or, in JS's
//! release step, restoring the owner when the lock's word could not be freed
//! there). `count` means nothing while `owner` is 0: every acquire that stores
//! an owner stores the count first. Owner ids must be non-zero (thread record
//! handles are). `lock` is released only by the owner, through `free` or JS's
//! release step, so while `owner` is the asker's id nobody else can free it.
//!
//! Shared words: `lock`'s state, `owner` and `count` are three shared cells
//! (`words.rs`, each at 32 bits) so that JS takes an uncontended RLock, re-enters
//! it and releases it with no addon call (`src/backend/native.ts`). JS takes the
//! same steps as this file:
//!
//! - acquire: the steps of `acquire(owner, Timeout::Now)` (re-entry, or `lock`'s
//!   try-acquire loop, then `count` and `owner` stored in that order);
//! - release: [`RLock::release_unwatched`], whose `false` sends JS here.
//!
//! It takes the state's compare-exchanges with Atomics (SeqCst, at least as
//! strong as the orderings here), and makes plain accesses where this file is
//! Relaxed: `owner`, `count`, and the state's first read, which its
//! compare-exchange checks. A plain access to an aligned 32-bit element is
//! tear-free, and no thread reads its own writes out of order, which is all the
//! owner check needs (above); `lock` orders the stores for the next owner. Each
//! Atomics call costs ~7.5 ns on Node 20 (not inlined): with those three plain,
//! an uncontended acquire+release went from 47 to 30 ns.
//!
//! Not done: Python's `_is_owned` fallback for foreign locks; counts past 2^32 − 1
//! (re-entry saturates there).

use crate::error::Result;
use crate::lock::Lock;
use crate::park::Timeout;
use crate::sync::{AtomicU32, Ordering};
use crate::words::Cell;

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
    owner: Cell,
    /// Acquisitions by the owner not yet released; written only by the owner.
    count: Cell,
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
            owner: Cell::new(),
            count: Cell::new(),
        }
    }

    fn owner_word(&self) -> &AtomicU32 {
        self.owner.u32()
    }

    fn count_word(&self) -> &AtomicU32 {
        self.count.u32()
    }

    /// The indexes of the shared cells of the lock's state, the owner and the
    /// count (see `words.rs`), or None when any of them is private.
    pub fn cells(&self) -> Option<[u32; 3]> {
        Some([self.lock.cell()?, self.owner.index()?, self.count.index()?])
    }

    fn owned_by(&self, owner: u32) -> bool {
        // Relaxed: only our own store can make this true (module docs).
        owner != 0 && self.owner_word().load(Ordering::Relaxed) == owner
    }

    /// Acquires once for `owner`, waiting at most `timeout`; re-entry by the
    /// owner never blocks. `Ok(false)` on timeout.
    pub fn acquire(&self, owner: u32, timeout: Timeout) -> Result<bool> {
        self.acquire_count(owner, 1, timeout)
    }

    /// Acquires and sets the count to `count` (at least 1, at most 2^32 − 1):
    /// Python's `_acquire_restore` after a `Condition.wait`. Re-entry adds
    /// `count`, saturating.
    pub fn acquire_count(&self, owner: u32, count: u64, timeout: Timeout) -> Result<bool> {
        let count = u32::try_from(count.max(1)).unwrap_or(u32::MAX);
        if self.owned_by(owner) {
            let c = self.count_word().load(Ordering::Relaxed);
            self.count_word()
                .store(c.saturating_add(count), Ordering::Relaxed);
            return Ok(true);
        }
        if !self.lock.acquire(timeout)? {
            return Ok(false);
        }
        // Relaxed: `lock`'s acquire/release order these stores for the next owner.
        self.count_word().store(count, Ordering::Relaxed);
        self.owner_word().store(owner, Ordering::Relaxed);
        Ok(true)
    }

    /// The owner's id, 0 when free: a snapshot, only for reporting an owner that died.
    pub fn owner(&self) -> u32 {
        self.owner_word().load(Ordering::Relaxed)
    }

    /// Releases one level for `owner`.
    pub fn release(&self, owner: u32) -> RRelease {
        if !self.owned_by(owner) {
            return RRelease::NotOwner;
        }
        let c = self.count_word().load(Ordering::Relaxed);
        if c > 1 {
            self.count_word().store(c - 1, Ordering::Relaxed);
            return RRelease::Released { freed: false };
        }
        self.free();
        RRelease::Released { freed: true }
    }

    /// JS's release step (`NativeRLockWords.release` in `src/backend/native.ts`),
    /// for the loom models, which cannot run JS: one level released for `owner`
    /// when that needs nobody woken and no epoch moved. False, and no change:
    /// the caller must use `release` (not the owner, or a thread is parked or
    /// an async waiter watching).
    pub fn release_unwatched(&self, owner: u32) -> bool {
        if !self.owned_by(owner) {
            return false;
        }
        let c = self.count_word().load(Ordering::Relaxed);
        if c > 1 {
            self.count_word().store(c - 1, Ordering::Relaxed);
            return true;
        }
        self.owner_word().store(0, Ordering::Relaxed);
        if self.lock.release_unwatched() {
            return true;
        }
        // Still held (only the owner frees `lock`), so nobody else can have
        // stored an owner meanwhile: put ours back for `release`.
        self.owner_word().store(owner, Ordering::Relaxed);
        false
    }

    /// Releases every level `owner` holds (Python's `_release_save`); returns
    /// how many, 0 (and no change) when `owner` does not own it.
    pub fn release_all(&self, owner: u32) -> u64 {
        if !self.owned_by(owner) {
            return 0;
        }
        let c = self.count_word().load(Ordering::Relaxed).max(1);
        self.free();
        u64::from(c)
    }

    /// JS's step for `release_all` (`Condition.wait` over an RLock): as
    /// `release_unwatched` on the last level, for every level at once. `None`,
    /// and no change, when `owner` does not own it or the addon must release it
    /// (a thread parked or a watcher waiting); else how many levels it freed.
    pub fn release_all_unwatched(&self, owner: u32) -> Option<u64> {
        if !self.owned_by(owner) {
            return None;
        }
        let c = self.count_word().load(Ordering::Relaxed).max(1);
        self.owner_word().store(0, Ordering::Relaxed);
        if self.lock.release_unwatched() {
            return Some(u64::from(c));
        }
        // Still held, as in `release_unwatched`: put ours back for `release_all`.
        self.owner_word().store(owner, Ordering::Relaxed);
        None
    }

    fn free(&self) {
        // Cleared before `lock` is released, so the next owner never sees ours.
        self.owner_word().store(0, Ordering::Relaxed);
        self.lock.release();
    }

    /// Makes the next release that frees it come through `release` (whose
    /// caller moves the epoch) rather than JS's release step, for an async
    /// waiter about to watch the epoch. False, and no change, when it is free:
    /// the waiter should retry instead.
    pub fn mark_waiting(&self) -> bool {
        self.lock.mark_waiting()
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
            u64::from(self.count_word().load(Ordering::Relaxed))
        } else {
            0
        }
    }
}
