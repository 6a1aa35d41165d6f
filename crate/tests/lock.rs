//! Lock scenarios: smoke, timeouts, release by another thread, racing releases,
//! mutual exclusion under contention, fairness (no trivial starvation).

#![cfg(not(loom))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::lock::Lock;
use native_threads::park::Timeout;

#[test]
fn smoke() {
    let l = Lock::new();
    assert!(!l.locked());
    assert!(l.acquire(Timeout::Forever).unwrap());
    assert!(l.locked());
    assert!(!l.acquire(Timeout::Now).unwrap());
    assert!(l.release());
    assert!(!l.release(), "release of an unlocked lock is false");
    assert!(!l.locked());
}

#[test]
fn acquire_times_out() {
    let l = Lock::new();
    assert!(l.acquire(Timeout::Now).unwrap());
    let t0 = Instant::now();
    assert!(!l.acquire(Timeout::from_ms(50.0)).unwrap());
    let waited = t0.elapsed();
    assert!(waited >= Duration::from_millis(45), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    // The timed-out waiter left no trace: release takes the fast path and works.
    assert!(l.release());
    assert!(l.acquire(Timeout::Now).unwrap());
}

#[test]
fn released_by_another_thread_wakes_waiter() {
    let l = Arc::new(Lock::new());
    assert!(l.acquire(Timeout::Now).unwrap());
    let l2 = l.clone();
    let waiter = thread::spawn(move || l2.acquire(Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(30));
    let l3 = l.clone();
    // Any thread may release, as in Python.
    assert!(thread::spawn(move || l3.release()).join().unwrap());
    assert!(waiter.join().unwrap());
    assert!(l.locked());
}

#[test]
fn racing_releases_succeed_once_per_acquisition() {
    for _ in 0..200 {
        let l = Arc::new(Lock::new());
        assert!(l.acquire(Timeout::Now).unwrap());
        let rs: Vec<_> = (0..4)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.release())
            })
            .collect();
        let wins = rs
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|w| *w)
            .count();
        assert_eq!(wins, 1);
        assert!(!l.locked());
    }
}

#[test]
fn mutual_exclusion_stress() {
    let l = Arc::new(Lock::new());
    let inside = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let (l, inside, count) = (l.clone(), inside.clone(), count.clone());
            thread::spawn(move || {
                for _ in 0..5000 {
                    assert!(l.acquire(Timeout::Forever).unwrap());
                    assert!(!inside.swap(true, Ordering::Relaxed), "two holders");
                    let c = count.load(Ordering::Relaxed);
                    count.store(c + 1, Ordering::Relaxed);
                    inside.store(false, Ordering::Relaxed);
                    assert!(l.release());
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(count.load(Ordering::Relaxed), 20_000);
    assert!(!l.locked());
}

#[test]
fn fairness_waiter_gets_in_while_another_thread_loops() {
    let l = Arc::new(Lock::new());
    let stop = Arc::new(AtomicBool::new(false));
    let (l1, stop1) = (l.clone(), stop.clone());
    let hog = thread::spawn(move || {
        while !stop1.load(Ordering::Relaxed) {
            assert!(l1.acquire(Timeout::Forever).unwrap());
            std::hint::black_box(0..100).for_each(drop);
            assert!(l1.release());
        }
    });
    thread::sleep(Duration::from_millis(10));
    let t0 = Instant::now();
    for _ in 0..20 {
        assert!(l.acquire(Timeout::from_ms(2000.0)).unwrap(), "starved");
        assert!(l.release());
    }
    stop.store(true, Ordering::Relaxed);
    hog.join().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn mark_waiting_refuses_a_free_lock_and_a_release_clears_it() {
    let lock = Lock::new();
    assert!(!lock.mark_waiting(), "a free lock: retry, do not watch");
    assert!(lock.acquire(Timeout::Forever).unwrap());
    assert!(lock.mark_waiting());
    assert!(lock.mark_waiting(), "marking twice is harmless");
    assert!(lock.locked());
    assert!(lock.release());
    assert!(!lock.locked());
    // A non-blocking acquire and a plain release still work after the mark was cleared.
    assert!(lock.acquire(Timeout::Now).unwrap());
    assert!(lock.release());
    assert!(
        !lock.release(),
        "the mark does not make a free lock releasable"
    );
}

#[test]
fn a_parked_waiter_is_woken_while_the_lock_is_also_watched() {
    let lock = Arc::new(Lock::new());
    assert!(lock.acquire(Timeout::Forever).unwrap());
    assert!(lock.mark_waiting());
    let waiter = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || lock.acquire(Timeout::from_ms(10_000.0)).unwrap())
    };
    thread::sleep(Duration::from_millis(50));
    assert!(lock.release());
    assert!(waiter.join().unwrap(), "the parked thread got the lock");
    assert!(lock.release());
}
