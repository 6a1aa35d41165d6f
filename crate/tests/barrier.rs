//! Barrier scenarios (CPython's state machine): release together with indices
//! in arrival order, reuse across rounds, arrivals held back while draining,
//! timeout breaks, abort wakes, reset (filling, broken, empty), cancel as if
//! never arrived, poll.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::barrier::{Arrive, Barrier, BarrierWait, State};
use native_threads::park::Timeout;

fn ticket(a: Arrive) -> u64 {
    match a {
        Arrive::Ticket(t) => t,
        other => panic!("expected a ticket, got {other:?}"),
    }
}

#[test]
fn three_parties_release_together_in_arrival_order() {
    let b = Arc::new(Barrier::new(3));
    assert_eq!(b.parties(), 3);
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let b = b.clone();
            thread::spawn(move || {
                let t = ticket(b.arrive(Timeout::Forever).unwrap());
                b.wait(t, Timeout::from_ms(5000.0)).unwrap()
            })
        })
        .collect();
    let t0 = Instant::now();
    while b.n_waiting() < 2 {
        assert!(t0.elapsed() < Duration::from_secs(5));
        thread::sleep(Duration::from_millis(1));
    }
    let last = ticket(b.arrive(Timeout::Now).unwrap());
    assert_eq!(b.state(), State::Draining);
    assert_eq!(b.n_waiting(), 0);
    assert_eq!(b.wait(last, Timeout::Now).unwrap(), BarrierWait::Index(2));
    let mut idx: Vec<BarrierWait> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    idx.sort_by_key(|w| match w {
        BarrierWait::Index(i) => *i,
        _ => u32::MAX,
    });
    assert_eq!(idx, vec![BarrierWait::Index(0), BarrierWait::Index(1)]);
    assert_eq!(b.state(), State::Filling, "the last one out refills it");
    assert!(!b.broken());
}

#[test]
fn reusable_and_indices_follow_arrival_order() {
    let b = Barrier::new(2);
    for _ in 0..3 {
        let a = ticket(b.arrive(Timeout::Now).unwrap());
        assert_eq!(b.n_waiting(), 1);
        assert_eq!(
            b.wait(a, Timeout::Now).unwrap(),
            BarrierWait::Waiting,
            "poll"
        );
        let c = ticket(b.arrive(Timeout::Now).unwrap());
        assert_eq!(b.wait(c, Timeout::Now).unwrap(), BarrierWait::Index(1));
        assert_eq!(b.wait(a, Timeout::Now).unwrap(), BarrierWait::Index(0));
        assert_eq!(b.state(), State::Filling);
    }
}

#[test]
fn arrivals_are_held_back_while_draining() {
    let b = Arc::new(Barrier::new(1));
    let a = ticket(b.arrive(Timeout::Now).unwrap());
    assert_eq!(b.state(), State::Draining, "one party: released at once");
    assert_eq!(b.arrive(Timeout::Now).unwrap(), Arrive::Waiting);
    let t0 = Instant::now();
    assert_eq!(b.arrive(Timeout::from_ms(30.0)).unwrap(), Arrive::Waiting);
    assert!(t0.elapsed() >= Duration::from_millis(25));
    let b2 = b.clone();
    let next = thread::spawn(move || b2.arrive(Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(20));
    assert_eq!(b.wait(a, Timeout::Forever).unwrap(), BarrierWait::Index(0));
    let n = ticket(next.join().unwrap());
    assert_eq!(b.wait(n, Timeout::Now).unwrap(), BarrierWait::Index(0));
}

#[test]
fn wait_timeout_breaks_the_barrier_for_everyone() {
    let b = Arc::new(Barrier::new(3));
    let other = ticket(b.arrive(Timeout::Now).unwrap());
    let b2 = b.clone();
    let h = thread::spawn(move || b2.wait(other, Timeout::Forever).unwrap());
    let mine = ticket(b.arrive(Timeout::Now).unwrap());
    let t0 = Instant::now();
    assert_eq!(
        b.wait(mine, Timeout::from_ms(40.0)).unwrap(),
        BarrierWait::Broken
    );
    assert!(t0.elapsed() >= Duration::from_millis(35));
    assert_eq!(h.join().unwrap(), BarrierWait::Broken);
    assert!(b.broken());
    assert_eq!(b.arrive(Timeout::Forever).unwrap(), Arrive::Broken);
    b.reset();
    assert_eq!(b.state(), State::Filling);
    assert!(!b.broken());
}

#[test]
fn abort_wakes_waiters() {
    let b = Arc::new(Barrier::new(2));
    let t = ticket(b.arrive(Timeout::Now).unwrap());
    let b2 = b.clone();
    let h = thread::spawn(move || b2.wait(t, Timeout::Forever).unwrap());
    thread::sleep(Duration::from_millis(20));
    b.abort();
    assert_eq!(h.join().unwrap(), BarrierWait::Broken);
    assert!(b.broken());
    assert_eq!(b.n_waiting(), 0);
}

#[test]
fn reset_breaks_a_filling_round_then_refills() {
    let b = Barrier::new(3);
    let a = ticket(b.arrive(Timeout::Now).unwrap());
    let c = ticket(b.arrive(Timeout::Now).unwrap());
    b.reset();
    assert_eq!(b.state(), State::Resetting);
    assert_eq!(
        b.arrive(Timeout::Now).unwrap(),
        Arrive::Waiting,
        "held back"
    );
    assert_eq!(b.wait(a, Timeout::Now).unwrap(), BarrierWait::Broken);
    assert_eq!(b.state(), State::Resetting);
    assert_eq!(
        b.cancel(c),
        -1,
        "a broken arrival leaves through cancel too"
    );
    assert_eq!(b.state(), State::Filling);
    // Broken with arrivals inside: resetting until they leave.
    let d = ticket(b.arrive(Timeout::Now).unwrap());
    b.abort();
    b.reset();
    assert_eq!(b.state(), State::Resetting);
    assert_eq!(b.wait(d, Timeout::Now).unwrap(), BarrierWait::Broken);
    assert_eq!(b.state(), State::Filling);
}

#[test]
fn cancel_is_as_if_never_arrived() {
    let b = Barrier::new(3);
    let a = ticket(b.arrive(Timeout::Now).unwrap());
    let c = ticket(b.arrive(Timeout::Now).unwrap());
    assert_eq!(b.n_waiting(), 2);
    assert_eq!(b.cancel(a), -1);
    assert_eq!(b.n_waiting(), 1);
    assert!(!b.broken());
    let d = ticket(b.arrive(Timeout::Now).unwrap());
    assert_eq!(b.state(), State::Filling, "only two arrivals count");
    let e = ticket(b.arrive(Timeout::Now).unwrap());
    assert_eq!(b.state(), State::Draining);
    // Indices close the gap: c is now first.
    assert_eq!(b.cancel(c), 0, "released: cancel reports the index");
    assert_eq!(b.wait(d, Timeout::Now).unwrap(), BarrierWait::Index(1));
    assert_eq!(b.wait(e, Timeout::Now).unwrap(), BarrierWait::Index(2));
    assert_eq!(b.state(), State::Filling);
    assert_eq!(b.cancel(a), -1, "unknown ticket");
    assert_eq!(
        b.wait(a, Timeout::Now).unwrap(),
        BarrierWait::Broken,
        "unknown ticket"
    );
}
