//! Condition scenarios: FIFO notification, a notify before the wait is not lost,
//! timeouts withdraw the ticket, cancel/poll consume or withdraw, notify_all,
//! and the timeout-vs-notify race never loses or duplicates a notification.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::condition::{CondWait, Condition};
use native_threads::park::Timeout;

#[test]
fn notify_before_wait_is_not_lost() {
    let c = Condition::new();
    let t = c.register();
    assert!(t > 0);
    assert_eq!(c.waiting(), 1);
    assert_eq!(c.notify(1), 1);
    assert_eq!(c.waiting(), 0);
    assert_eq!(c.wait(t, Timeout::Forever).unwrap(), CondWait::Notified);
    // Used up: a second wait on it has nothing to wait for.
    assert_eq!(
        c.wait(t, Timeout::from_ms(10.0)).unwrap(),
        CondWait::TimedOut
    );
}

#[test]
fn fifo_order() {
    let c = Condition::new();
    let ts: Vec<u64> = (0..4).map(|_| c.register()).collect();
    assert_eq!(c.notify(2), 2);
    assert!(c.poll(ts[0]));
    assert!(c.poll(ts[1]));
    assert!(!c.poll(ts[2]));
    assert!(!c.poll(ts[1]), "poll consumed it");
    assert_eq!(c.notify_all(), 2);
    assert!(c.poll(ts[3]));
    assert!(c.poll(ts[2]));
    assert_eq!(c.notify(5), 0, "nobody left");
}

#[test]
fn wait_times_out_and_withdraws() {
    let c = Condition::new();
    let t = c.register();
    let t0 = Instant::now();
    assert_eq!(
        c.wait(t, Timeout::from_ms(40.0)).unwrap(),
        CondWait::TimedOut
    );
    assert!(t0.elapsed() >= Duration::from_millis(35));
    assert_eq!(c.waiting(), 0);
    assert_eq!(c.notify(1), 0, "a withdrawn ticket takes no notification");
}

#[test]
fn cancel_reports_a_notification_it_had() {
    let c = Condition::new();
    let a = c.register();
    let b = c.register();
    assert!(!c.cancel(a), "still waiting: withdrawn");
    assert_eq!(
        c.notify(1),
        1,
        "the notification goes to b, not to withdrawn a"
    );
    assert!(c.cancel(b), "b had been notified");
    assert!(!c.poll(b));
    assert_eq!(c.waiting(), 0);
}

#[test]
fn cross_thread_wakeup() {
    let c = Arc::new(Condition::new());
    let tickets: Vec<u64> = (0..3).map(|_| c.register()).collect();
    let waiters: Vec<_> = tickets
        .iter()
        .map(|&t| {
            let c = c.clone();
            thread::spawn(move || c.wait(t, Timeout::from_ms(5000.0)).unwrap())
        })
        .collect();
    thread::sleep(Duration::from_millis(30));
    assert_eq!(c.notify(1), 1);
    let mut hs = waiters.into_iter();
    assert_eq!(hs.next().unwrap().join().unwrap(), CondWait::Notified);
    assert_eq!(c.waiting(), 2);
    assert_eq!(c.notify_all(), 2);
    for h in hs {
        assert_eq!(h.join().unwrap(), CondWait::Notified);
    }
}

#[test]
fn timeout_vs_notify_race_never_loses_a_notification() {
    // Each round: one waiter with a short timeout, one notify at about the
    // same moment. Either notify picked it (wait says Notified, notify says 1)
    // or the timeout withdrew it first (TimedOut, 0): never both, never neither.
    for round in 0..200 {
        let c = Arc::new(Condition::new());
        let t = c.register();
        let c2 = c.clone();
        let waiter = thread::spawn(move || c2.wait(t, Timeout::from_ms(1.0)).unwrap());
        if round % 2 == 0 {
            thread::sleep(Duration::from_micros(900));
        }
        let notified = c.notify(1);
        let outcome = waiter.join().unwrap();
        match outcome {
            CondWait::Notified => assert_eq!(notified, 1),
            CondWait::TimedOut => assert_eq!(notified, 0),
        }
        assert_eq!(c.waiting(), 0);
        assert!(!c.poll(t));
    }
}
