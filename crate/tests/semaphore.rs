//! Semaphore scenarios: smoke, timeouts, release(n) wakes up to n waiters,
//! the bound refuses an over-release without change, permits are conserved
//! under contention.

#![cfg(not(loom))]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::park::Timeout;
use native_threads::semaphore::Semaphore;

#[test]
fn smoke() {
    let s = Semaphore::new(2, false);
    assert!(s.acquire(Timeout::Now).unwrap());
    assert!(s.acquire(Timeout::Now).unwrap());
    assert!(!s.acquire(Timeout::Now).unwrap(), "value 0: would block");
    assert_eq!(s.value(), 0);
    assert!(s.release(1));
    assert_eq!(s.value(), 1);
    assert!(s.release(5), "a plain semaphore has no bound");
    assert_eq!(s.value(), 6);
}

#[test]
fn acquire_times_out() {
    let s = Semaphore::new(0, false);
    let t0 = Instant::now();
    assert!(!s.acquire(Timeout::from_ms(40.0)).unwrap());
    assert!(t0.elapsed() >= Duration::from_millis(35));
    assert_eq!(s.value(), 0);
}

#[test]
fn bounded_refuses_over_release_and_changes_nothing() {
    let s = Semaphore::new(2, true);
    assert_eq!(s.bound(), Some(2));
    assert!(!s.release(1), "already at the bound");
    assert_eq!(s.value(), 2);
    assert!(s.acquire(Timeout::Now).unwrap());
    assert!(!s.release(2), "1 + 2 > 2");
    assert_eq!(s.value(), 1);
    assert!(s.release(1));
    assert_eq!(s.value(), 2);
    assert!(
        !Semaphore::with_bound(u64::MAX, None).release(1),
        "overflow refused"
    );
}

#[test]
fn release_n_wakes_n_waiters() {
    let s = Arc::new(Semaphore::new(0, false));
    let done = Arc::new(AtomicU32::new(0));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let (s, done) = (s.clone(), done.clone());
            thread::spawn(move || {
                let got = s.acquire(Timeout::from_ms(3000.0)).unwrap();
                if got {
                    done.fetch_add(1, Ordering::SeqCst);
                }
                got
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(30));
    assert!(s.release(2));
    let t0 = Instant::now();
    while done.load(Ordering::SeqCst) < 2 && t0.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(1));
    }
    thread::sleep(Duration::from_millis(20));
    assert_eq!(
        done.load(Ordering::SeqCst),
        2,
        "exactly two woke with a permit"
    );
    assert!(s.release(1));
    let got: Vec<bool> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, vec![true, true, true]);
    assert_eq!(s.value(), 0);
}

#[test]
fn permits_conserved_under_contention() {
    let s = Arc::new(Semaphore::new(3, true));
    let inside = Arc::new(AtomicU32::new(0));
    let hs: Vec<_> = (0..6)
        .map(|_| {
            let (s, inside) = (s.clone(), inside.clone());
            thread::spawn(move || {
                for _ in 0..300 {
                    assert!(s.acquire(Timeout::Forever).unwrap());
                    assert!(inside.fetch_add(1, Ordering::SeqCst) < 3);
                    inside.fetch_sub(1, Ordering::SeqCst);
                    assert!(s.release(1));
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(s.value(), 3);
}
