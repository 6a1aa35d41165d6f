//! Thread records, OS thread ids, sleep.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::park::Timeout;
use native_threads::thread::{os_thread_id, sleep, ThreadRecord, ThreadState};

#[test]
fn life_cycle_and_fields() {
    let t = ThreadRecord::new("Thread-1".into(), false);
    assert_eq!(t.state(), ThreadState::New);
    assert_eq!(t.name(), "Thread-1");
    t.set_name("worker".into());
    assert_eq!(t.name(), "worker");
    assert!(!t.daemon());
    t.set_daemon(true);
    assert!(t.daemon());
    assert_eq!(t.native_id(), -1);
    assert_eq!(t.outcome(), None);
    t.mark_running(1234);
    assert_eq!(t.state(), ThreadState::Running);
    assert_eq!(t.native_id(), 1234);
    assert!(t.finish(vec![0, 0, 0, 0, 9], true).is_none());
    assert_eq!(t.state(), ThreadState::Done);
    let o = t.outcome().unwrap();
    assert_eq!(
        (o.data.as_slice(), o.failed),
        (&[0u8, 0, 0, 0, 9][..], true)
    );
    // Every caller sees the same outcome; a second finish is refused.
    assert_eq!(t.outcome().unwrap(), o);
    assert_eq!(t.finish(vec![1], false), Some(vec![1]));
    assert_eq!(t.outcome().unwrap(), o);
}

#[test]
fn join_times_out_then_succeeds() {
    let t = Arc::new(ThreadRecord::new("T".into(), false));
    t.mark_running(1);
    assert!(!t.join(Timeout::Now).unwrap());
    let t0 = Instant::now();
    assert!(!t.join(Timeout::from_ms(30.0)).unwrap());
    assert!(t0.elapsed() >= Duration::from_millis(25));
    let joiners: Vec<_> = (0..3)
        .map(|_| {
            let t = t.clone();
            thread::spawn(move || t.join(Timeout::Forever).unwrap())
        })
        .collect();
    thread::sleep(Duration::from_millis(20));
    t.finish(vec![0, 0, 0, 0], false);
    for j in joiners {
        assert!(j.join().unwrap());
    }
}

#[test]
fn a_polling_join_sees_done_once_finish_returns_with_the_outcome_readable() {
    // join(Now) reads a flag outside the record's mutex (set under it, after the
    // outcome): a poller on another thread ends its poll and reads the outcome.
    for round in 0..200u8 {
        let t = Arc::new(ThreadRecord::new(format!("Thread-{round}"), false));
        t.mark_running(1);
        let poller = {
            let t = Arc::clone(&t);
            thread::spawn(move || {
                while !t.join(Timeout::Now).unwrap() {
                    std::hint::spin_loop();
                }
                t.outcome().expect("Done without an outcome")
            })
        };
        assert!(t.finish(vec![round], false).is_none());
        assert!(t.join(Timeout::Now).unwrap());
        assert_eq!(poller.join().unwrap().data, vec![round]);
    }
}

#[test]
fn os_thread_ids_differ_between_threads() {
    let main = os_thread_id();
    assert!(main > 0);
    let other = thread::spawn(os_thread_id).join().unwrap();
    assert!(other > 0 && other != main);
}

#[test]
fn sleep_sleeps() {
    let t0 = Instant::now();
    sleep(30.0).unwrap();
    let e = t0.elapsed();
    assert!(
        e >= Duration::from_millis(30) && e < Duration::from_secs(2),
        "{e:?}"
    );
    sleep(0.0).unwrap();
}
