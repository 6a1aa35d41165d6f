//! Loom models of `RLock` (the shipped code, through the `sync.rs` shim).
//!
//! Owners are thread record handles in the addon; here any distinct non-zero ids.
//!
//! JS's no-call steps (`src/backend/native.ts`) appear here as their Rust twins:
//! JS's acquire is `acquire(me, Timeout::Now)` (the same steps), its release is
//! `release_unwatched`; when a step returns false JS calls the addon, which is
//! `acquire(me, Timeout::Forever)` or `release(me)` here. A Condition's wait over
//! an RLock releases every level with `release_all_unwatched` (else the addon's
//! `release_all`) and takes them back with `acquire_count(me, n, Timeout::Now)`
//! (else with `Timeout::Forever`).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_rlock`
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

use native_threads::park::Timeout;
use native_threads::rlock::{RLock, RRelease};

/// Two owners each take it twice (re-entry never blocks), increment with a
/// non-atomic read-then-write, and release twice: the count follows each
/// owner's levels, only the last release frees it, no update is lost, and it
/// ends free with no owner.
#[test]
fn reentry_count_and_handoff() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = [1u32, 2]
            .into_iter()
            .map(|me| {
                let (lock, n) = (lock.clone(), n.clone());
                thread::spawn(move || {
                    assert!(lock.acquire(me, Timeout::Forever).unwrap());
                    assert!(lock.acquire(me, Timeout::Now).unwrap());
                    assert_eq!(lock.count(me), 2);
                    assert!(lock.is_owned(me));
                    let v = n.load(Ordering::Relaxed);
                    n.store(v + 1, Ordering::Relaxed);
                    assert_eq!(lock.release(me), RRelease::Released { freed: false });
                    assert_eq!(lock.count(me), 1);
                    assert_eq!(lock.release(me), RRelease::Released { freed: true });
                    assert!(!lock.is_owned(me));
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Ordering::Relaxed), 2);
        assert!(!lock.locked());
        assert_eq!(lock.owner(), 0);
    });
}

/// A thread that does not own it cannot release it, nor release all of it,
/// whatever the owner is doing meanwhile (releasing it, here); once free it can
/// take it.
#[test]
fn release_by_non_owner_refused() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        assert!(lock.acquire(1, Timeout::Now).unwrap());
        let l2 = lock.clone();
        let other = thread::spawn(move || {
            assert_eq!(l2.release(2), RRelease::NotOwner);
            assert_eq!(l2.release_all(2), 0);
            assert!(l2.acquire(2, Timeout::Forever).unwrap());
            assert_eq!(l2.count(2), 1);
            assert_eq!(l2.release(2), RRelease::Released { freed: true });
        });
        assert_eq!(lock.release(1), RRelease::Released { freed: true });
        assert_eq!(lock.release(1), RRelease::NotOwner);
        other.join().unwrap();
        assert!(!lock.locked());
    });
}

/// A waiter parked on an RLock held twice wakes once the owner's last level is
/// released (not before), and owns it then with a count of 1.
#[test]
fn waiter_wakes_on_last_release() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        assert!(lock.acquire(1, Timeout::Now).unwrap());
        assert!(lock.acquire(1, Timeout::Now).unwrap());
        let l2 = lock.clone();
        let waiter = thread::spawn(move || {
            assert!(l2.acquire(2, Timeout::Forever).unwrap());
            let count = l2.count(2);
            assert_eq!(l2.release(2), RRelease::Released { freed: true });
            count
        });
        assert_eq!(lock.release(1), RRelease::Released { freed: false });
        assert!(lock.is_owned(1));
        assert_eq!(lock.release(1), RRelease::Released { freed: true });
        assert_eq!(waiter.join().unwrap(), 1);
        assert!(!lock.locked());
    });
}

/// JS's acquire: its step, then the addon's blocking acquire when the step fails.
fn js_acquire(lock: &RLock, me: u32) {
    if !lock.acquire(me, Timeout::Now).unwrap() {
        assert!(lock.acquire(me, Timeout::Forever).unwrap());
    }
}

/// JS's release: its step, then the addon's release when the step fails. True
/// when the step did it alone (no addon call, so no epoch bump).
fn js_release(lock: &RLock, me: u32) -> bool {
    if lock.release_unwatched(me) {
        return true;
    }
    assert_eq!(lock.release(me), RRelease::Released { freed: true });
    false
}

/// Two owners through JS's steps, mixed with the addon's paths when a step
/// fails: a non-owner's release step changes nothing, re-entry and the inner
/// release need no addon call, no update is lost, and it ends free with no
/// owner.
#[test]
fn js_steps_reentry_and_exclusion() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = [1u32, 2]
            .into_iter()
            .map(|me| {
                let (lock, n) = (lock.clone(), n.clone());
                thread::spawn(move || {
                    assert!(!lock.release_unwatched(me));
                    js_acquire(&lock, me);
                    assert!(lock.acquire(me, Timeout::Now).unwrap(), "re-entry");
                    assert_eq!(lock.count(me), 2);
                    let v = n.load(Ordering::Relaxed);
                    n.store(v + 1, Ordering::Relaxed);
                    assert!(lock.release_unwatched(me), "inner level");
                    assert!(lock.is_owned(me));
                    js_release(&lock, me);
                    assert!(!lock.is_owned(me));
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Ordering::Relaxed), 2);
        assert!(!lock.locked());
        assert_eq!(lock.owner(), 0);
    });
}

/// A thread parked on an RLock wakes when the owner releases it through JS's
/// step: the step must leave a parked waiter to the addon's release.
#[test]
fn js_release_wakes_parked_waiter() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        js_acquire(&lock, 1);
        let l2 = lock.clone();
        let waiter = thread::spawn(move || {
            assert!(l2.acquire(2, Timeout::Forever).unwrap());
            assert_eq!(l2.count(2), 1);
            js_release(&l2, 2);
        });
        js_release(&lock, 1);
        waiter.join().unwrap();
        assert!(!lock.locked());
        assert_eq!(lock.owner(), 0);
    });
}

/// An async waiter that failed to take it and then marked it watched sees the
/// epoch move: the owner's release that frees it cannot be JS's step alone.
#[test]
fn js_release_honours_a_watcher() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        js_acquire(&lock, 1);
        let l2 = lock.clone();
        let watcher = thread::spawn(move || {
            if l2.acquire(2, Timeout::Now).unwrap() {
                assert_eq!(l2.release(2), RRelease::Released { freed: true });
                return false;
            }
            l2.mark_waiting()
        });
        let alone = js_release(&lock, 1);
        let watching = watcher.join().unwrap();
        assert!(!(watching && alone), "a watcher's epoch would never move");
        assert!(!lock.locked());
    });
}

/// A Condition's wait over an RLock through JS's steps: the owner, two levels
/// deep, lets go of both at once while another thread parks on the lock, then
/// takes both back. The step must leave a parked thread to the addon's
/// release_all (else it sleeps for ever), and the levels come back exact.
#[test]
fn js_release_all_and_restore() {
    loom::model(|| {
        let lock = Arc::new(RLock::new());
        js_acquire(&lock, 1);
        assert!(lock.acquire(1, Timeout::Now).unwrap());
        let l2 = lock.clone();
        let other = thread::spawn(move || {
            assert!(l2.acquire(2, Timeout::Forever).unwrap());
            js_release(&l2, 2);
        });
        let saved = match lock.release_all_unwatched(1) {
            Some(n) => n,
            None => lock.release_all(1),
        };
        assert_eq!(saved, 2);
        assert!(!lock.is_owned(1));
        if !lock.acquire_count(1, saved, Timeout::Now).unwrap() {
            assert!(lock.acquire_count(1, saved, Timeout::Forever).unwrap());
        }
        assert_eq!(lock.count(1), 2);
        assert!(lock.release_unwatched(1), "inner level");
        js_release(&lock, 1);
        other.join().unwrap();
        assert!(!lock.locked());
        assert_eq!(lock.owner(), 0);
    });
}
