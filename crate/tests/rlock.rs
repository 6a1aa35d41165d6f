//! RLock scenarios: re-entry never blocks, release by a non-owner changes
//! nothing, timeouts, a waiting thread gets it once the owner fully releases,
//! release_all / acquire_count (Condition.wait over an RLock).

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::park::Timeout;
use native_threads::rlock::{RLock, RRelease};

const A: u32 = 11;
const B: u32 = 22;

#[test]
fn smoke_reentry() {
    let r = RLock::new();
    assert!(!r.locked());
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert!(
        r.acquire(A, Timeout::Now).unwrap(),
        "re-entry with timeout 0"
    );
    assert!(
        r.acquire(A, Timeout::Forever).unwrap(),
        "re-entry never blocks"
    );
    assert_eq!(r.count(A), 3);
    assert!(r.is_owned(A));
    assert!(!r.is_owned(B));
    assert_eq!(r.release(A), RRelease::Released { freed: false });
    assert_eq!(r.release(A), RRelease::Released { freed: false });
    assert!(r.locked());
    assert_eq!(r.release(A), RRelease::Released { freed: true });
    assert!(!r.locked());
    assert_eq!(r.release(A), RRelease::NotOwner, "release of a free RLock");
}

#[test]
fn release_by_non_owner_changes_nothing() {
    let r = RLock::new();
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert_eq!(r.release(B), RRelease::NotOwner);
    assert_eq!(r.release_all(B), 0);
    assert!(r.is_owned(A));
    assert_eq!(r.count(A), 1);
}

#[test]
fn other_owner_times_out() {
    let r = RLock::new();
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert!(!r.acquire(B, Timeout::Now).unwrap());
    let t0 = Instant::now();
    assert!(!r.acquire(B, Timeout::from_ms(40.0)).unwrap());
    assert!(t0.elapsed() >= Duration::from_millis(35));
    assert!(r.is_owned(A));
}

#[test]
fn waiter_gets_it_after_the_last_release() {
    let r = Arc::new(RLock::new());
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert!(r.acquire(A, Timeout::Now).unwrap());
    let r2 = r.clone();
    let waiter = thread::spawn(move || {
        let got = r2.acquire(B, Timeout::from_ms(5000.0)).unwrap();
        let owned = r2.is_owned(B);
        assert_eq!(r2.release(B), RRelease::Released { freed: true });
        (got, owned)
    });
    thread::sleep(Duration::from_millis(20));
    assert_eq!(r.release(A), RRelease::Released { freed: false });
    thread::sleep(Duration::from_millis(20));
    assert!(!waiter.is_finished(), "one level is still held");
    assert_eq!(r.release(A), RRelease::Released { freed: true });
    assert_eq!(waiter.join().unwrap(), (true, true));
    assert!(!r.locked());
}

#[test]
fn release_all_and_acquire_count_restore_the_level() {
    let r = Arc::new(RLock::new());
    for _ in 0..3 {
        assert!(r.acquire(A, Timeout::Now).unwrap());
    }
    assert_eq!(r.release_all(A), 3);
    assert!(!r.locked());
    // Someone else may take it meanwhile (as during Condition.wait).
    assert!(r.acquire(B, Timeout::Now).unwrap());
    let r2 = r.clone();
    let restorer = thread::spawn(move || r2.acquire_count(A, 3, Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(20));
    assert_eq!(r.release(B), RRelease::Released { freed: true });
    assert!(restorer.join().unwrap());
    assert_eq!(r.count(A), 3);
    assert_eq!(r.release(A), RRelease::Released { freed: false });
    assert_eq!(r.release_all(A), 2);
    assert!(r.acquire_count(B, 1, Timeout::Now).unwrap());
    assert_eq!(r.release_all(B), 1);
}

#[test]
fn mutual_exclusion_under_contention() {
    let r = Arc::new(RLock::new());
    let inside = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let hs: Vec<_> = (1..=4u32)
        .map(|owner| {
            let (r, inside) = (r.clone(), inside.clone());
            thread::spawn(move || {
                for _ in 0..500 {
                    assert!(r.acquire(owner, Timeout::Forever).unwrap());
                    assert!(r.acquire(owner, Timeout::Forever).unwrap());
                    assert_eq!(inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst), 0);
                    inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    assert_eq!(r.release(owner), RRelease::Released { freed: false });
                    assert_eq!(r.release(owner), RRelease::Released { freed: true });
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert!(!r.locked());
}

#[test]
fn release_unwatched_leaves_watchers_to_release() {
    let r = RLock::new();
    assert!(r.cells().is_some(), "the words JS steps on are shared");
    assert!(!r.release_unwatched(A), "free: nothing to release");
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert!(!r.release_unwatched(B), "not the owner");
    assert!(r.release_unwatched(A), "an inner level");
    assert!(r.mark_waiting());
    assert!(!r.release_unwatched(A), "a watcher needs the epoch to move");
    assert!(r.is_owned(A), "nothing changed");
    assert_eq!(r.count(A), 1);
    assert_eq!(r.release(A), RRelease::Released { freed: true });
    assert!(!r.mark_waiting(), "free: retry instead of watching");
    assert!(r.acquire(B, Timeout::Now).unwrap());
    assert!(
        r.release_unwatched(B),
        "the watched bit went with the last release"
    );
    assert!(!r.locked());
    assert_eq!(r.owner(), 0);
}

#[test]
fn reentry_saturates() {
    let r = RLock::new();
    assert!(r.acquire_count(A, u64::MAX, Timeout::Now).unwrap());
    assert_eq!(r.count(A), u64::from(u32::MAX));
    assert!(r.acquire(A, Timeout::Now).unwrap());
    assert_eq!(r.count(A), u64::from(u32::MAX));
    assert_eq!(r.release_all(A), u64::from(u32::MAX));
}
