//! The parking lot: deadlines, unpark, and process-exit interruption.
//!
//! `interrupt_all` is process-wide and permanent, so this binary holds a single
//! test that checks the ordinary behaviour first and interruption last.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::error::Error;
use native_threads::lock::Lock;
use native_threads::park::{self, ParkResult, Timeout, TOKEN_NORMAL};
use native_threads::queue::Queue;
use native_threads::thread::{sleep, ThreadRecord};

#[test]
fn park_unpark_deadlines_then_interrupt_everything() {
    // Deadline.
    let key = 0x1000usize;
    let t0 = Instant::now();
    let r = park::park(
        key,
        || true,
        || {},
        |last| assert!(last),
        Some(t0 + Duration::from_millis(20)),
    );
    assert_eq!(r, ParkResult::TimedOut);
    assert!(t0.elapsed() >= Duration::from_millis(20));
    // Validate false: never sleeps.
    assert_eq!(
        park::park(key, || false, || {}, |_| {}, None),
        ParkResult::Invalid
    );
    // Unpark one with a token.
    let h = thread::spawn(move || park::park(key, || true, || {}, |_| {}, None));
    while park::unpark_one(key, |_| 7).unparked_threads == 0 {
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(h.join().unwrap(), ParkResult::Unparked(7));
    assert_eq!(park::unpark_all(key), 0);
    assert_eq!(Timeout::from_ms(-1.0), Timeout::Forever);
    assert_eq!(Timeout::from_ms(0.0), Timeout::Now);
    assert!(matches!(Timeout::from_ms(1e300), Timeout::Forever));

    // Interruption: threads blocked forever in every kind of wait.
    assert!(!park::is_interrupted());
    let lock = Arc::new(Lock::new());
    assert!(lock.acquire(Timeout::Now).unwrap());
    let queue = Arc::new(Queue::new(0));
    let full = Arc::new(Queue::new(1));
    full.put(vec![0; 4], Timeout::Now).unwrap();
    let record = Arc::new(ThreadRecord::new("T".into(), true));
    let mut blocked: Vec<thread::JoinHandle<Result<(), Error>>> = Vec::new();
    let l = lock.clone();
    blocked.push(thread::spawn(move || l.acquire(Timeout::Forever).map(drop)));
    let q = queue.clone();
    blocked.push(thread::spawn(move || q.get(Timeout::Forever).map(drop)));
    let f = full.clone();
    blocked.push(thread::spawn(move || {
        f.put(vec![1; 4], Timeout::Forever).map(drop)
    }));
    let qj = full.clone();
    blocked.push(thread::spawn(move || qj.join(Timeout::Forever).map(drop)));
    let r = record.clone();
    blocked.push(thread::spawn(move || r.join(Timeout::Forever).map(drop)));
    blocked.push(thread::spawn(|| sleep(1e9)));
    thread::sleep(Duration::from_millis(50));
    let t0 = Instant::now();
    park::interrupt_all();
    for b in blocked {
        assert_eq!(b.join().unwrap(), Err(Error::Interrupted));
    }
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert!(park::is_interrupted());
    // ... and every later wait fails at once, while non-blocking calls still work.
    assert_eq!(lock.acquire(Timeout::Forever), Err(Error::Interrupted));
    assert_eq!(lock.acquire(Timeout::Now), Ok(false));
    assert!(lock.release());
    assert_eq!(
        lock.acquire(Timeout::Forever),
        Ok(true),
        "free lock: no wait needed"
    );
    assert_eq!(queue.get(Timeout::from_ms(1000.0)), Err(Error::Interrupted));
    assert_eq!(sleep(1000.0), Err(Error::Interrupted));
    assert_eq!(
        park::park(1, || true, || {}, |_| {}, None),
        ParkResult::Interrupted
    );
    let _ = TOKEN_NORMAL;
}
