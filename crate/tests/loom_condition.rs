//! Loom models of `Condition` (the shipped code, through the `sync.rs` shim).
//!
//! A deadline that has already passed makes `park` enqueue and then take its
//! timed-out path at once (loom never fires a real timeout), which is exactly
//! the window where a notify can race with a timeout.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_condition`
#![cfg(loom)]

use std::time::Instant;

use loom::sync::Arc;
use loom::thread;

use native_threads::condition::{CondWait, Condition};
use native_threads::park::Timeout;

/// Timeout vs notify: exactly one side wins. Notified ⇔ notify counted it; the
/// ticket ends used up either way (no lost, no duplicated notification).
#[test]
fn notify_vs_timeout() {
    loom::model(|| {
        let c = Arc::new(Condition::new());
        let t = c.register();
        let c2 = c.clone();
        let waiter = thread::spawn(move || c2.wait(t, Timeout::Until(Instant::now())).unwrap());
        let n = c.notify(1);
        let w = waiter.join().unwrap();
        assert_eq!(w == CondWait::Notified, n == 1, "{w:?} vs notify → {n}");
        assert_eq!(c.waiting(), 0);
        assert!(!c.poll(t));
        assert!(!c.cancel(t));
    });
}

/// A waiter blocked without a deadline is woken by a notify from another
/// thread, whether the notify lands before or after it parks.
#[test]
fn notify_wakes_blocked_waiter() {
    loom::model(|| {
        let c = Arc::new(Condition::new());
        let t = c.register();
        let c2 = c.clone();
        let waiter = thread::spawn(move || c2.wait(t, Timeout::Forever).unwrap());
        assert_eq!(c.notify(1), 1);
        assert_eq!(waiter.join().unwrap(), CondWait::Notified);
    });
}

/// Two waiters, notify(1) twice from two threads: each ticket is notified once.
#[test]
fn two_notifies_two_waiters() {
    loom::model(|| {
        let c = Arc::new(Condition::new());
        let a = c.register();
        let b = c.clone().register();
        let n1 = {
            let c = c.clone();
            thread::spawn(move || c.notify(1))
        };
        let c2 = c.clone();
        let waiter = thread::spawn(move || c2.wait(a, Timeout::Forever).unwrap());
        let n2 = c.notify(1);
        assert_eq!(n1.join().unwrap() + n2, 2);
        assert_eq!(waiter.join().unwrap(), CondWait::Notified);
        assert!(c.poll(b));
        assert_eq!(c.waiting(), 0);
    });
}
