//! Loom models of `RLock` (the shipped code, through the `sync.rs` shim).
//!
//! Owners are thread record handles in the addon; here any distinct non-zero ids.
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
