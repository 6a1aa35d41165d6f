//! Loom models of `Lock` (the shipped code, through the `sync.rs` shim).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_lock`
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

use native_threads::lock::Lock;
use native_threads::park::Timeout;

/// Two threads increment with a non-atomic read-then-write under the lock: no
/// update is lost, and the lock ends free (no waiter left parked).
#[test]
fn mutual_exclusion() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let (lock, n) = (lock.clone(), n.clone());
                thread::spawn(move || {
                    assert!(lock.acquire(Timeout::Forever).unwrap());
                    let v = n.load(Ordering::Relaxed);
                    n.store(v + 1, Ordering::Relaxed);
                    assert!(lock.release());
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Ordering::Relaxed), 2);
        assert!(!lock.locked());
    });
}

/// A thread blocked in acquire is woken by a release from a third thread.
#[test]
fn release_by_another_thread_wakes_the_waiter() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        assert!(lock.acquire(Timeout::Now).unwrap());
        let l2 = lock.clone();
        let waiter = thread::spawn(move || {
            assert!(l2.acquire(Timeout::Forever).unwrap());
            assert!(l2.release());
        });
        let l3 = lock.clone();
        let releaser = thread::spawn(move || assert!(l3.release()));
        waiter.join().unwrap();
        releaser.join().unwrap();
        assert!(!lock.locked());
    });
}

/// Two releases of one acquisition: exactly one succeeds, also while a third
/// thread is parked on the lock.
#[test]
fn racing_releases() {
    loom::model(|| {
        let lock = Arc::new(Lock::new());
        assert!(lock.acquire(Timeout::Now).unwrap());
        let wins = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let (lock, wins) = (lock.clone(), wins.clone());
                thread::spawn(move || {
                    if lock.release() {
                        wins.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(wins.load(Ordering::Relaxed), 1);
        assert!(!lock.locked());
    });
}
