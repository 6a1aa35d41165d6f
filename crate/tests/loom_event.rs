//! Loom models of `Event` (the shipped code, through the `sync.rs` shim).
//!
//! A deadline that has already passed makes `park` enqueue and then take its
//! timed-out path at once (loom never fires a real timeout): the window where a
//! `set` races with a timed wait.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_event`
#![cfg(loom)]

use std::time::Instant;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;
use loom::thread;

use native_threads::event::Event;
use native_threads::park::Timeout;

/// A waiter that finds the event clear (never set, or set then cleared) and
/// waits without a deadline is woken by a `set` from another thread, whether
/// the set lands before it parks or after.
#[test]
fn waiter_that_saw_clear_is_woken_by_set() {
    for set_before in [false, true] {
        loom::model(move || {
            let ev = Arc::new(Event::new());
            if set_before {
                ev.set();
                ev.clear();
            }
            let e2 = ev.clone();
            let waiter = thread::spawn(move || e2.wait(Timeout::Forever).unwrap());
            ev.set();
            assert!(waiter.join().unwrap());
            assert!(ev.is_set());
        });
    }
}

/// A timed wait racing a `set`: a wait that began after `set` returned reports
/// true; one that reports false began before the set, and the event is set
/// afterwards all the same (no lost set, no waiter left counted).
#[test]
fn timed_wait_vs_set() {
    loom::model(|| {
        let ev = Arc::new(Event::new());
        let set_done = Arc::new(AtomicBool::new(false));
        let (e2, d2) = (ev.clone(), set_done.clone());
        let waiter = thread::spawn(move || {
            let after_set = d2.load(Ordering::SeqCst);
            let woke = e2.wait(Timeout::Until(Instant::now())).unwrap();
            (after_set, woke)
        });
        ev.set();
        set_done.store(true, Ordering::SeqCst);
        let (after_set, woke) = waiter.join().unwrap();
        if after_set {
            assert!(woke, "a wait that began after set() returned must see it");
        }
        assert!(ev.is_set());
        assert!(ev.wait(Timeout::Now).unwrap());
    });
}

/// `clear` racing a waiter and a later `set`: the waiter always wakes (by the
/// pulse it saw or by the last set) and nothing is left parked.
#[test]
fn clear_between_sets_does_not_strand_a_waiter() {
    loom::model(|| {
        let ev = Arc::new(Event::new());
        let e2 = ev.clone();
        let waiter = thread::spawn(move || e2.wait(Timeout::Forever).unwrap());
        ev.set();
        ev.clear();
        ev.set();
        assert!(waiter.join().unwrap());
    });
}

/// Two waiters and a set: the first waiter's WAITED mark sends the set to the
/// crate, which drops the mark as it wakes everyone; a waiter that marked
/// after it sees the flag. Neither is stranded, and with nobody left waiting
/// the next set after a clear goes through the word alone.
#[test]
fn two_waiters_and_the_waited_mark() {
    loom::model(|| {
        let ev = Arc::new(Event::new());
        let (e1, e2) = (ev.clone(), ev.clone());
        let w1 = thread::spawn(move || e1.wait(Timeout::Forever).unwrap());
        let w2 = thread::spawn(move || e2.wait(Timeout::Forever).unwrap());
        ev.set();
        assert!(w1.join().unwrap());
        assert!(w2.join().unwrap());
        ev.clear();
        assert!(ev.set_fast(), "no waiter left marked");
    });
}
