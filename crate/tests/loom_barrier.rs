//! Loom models of `Barrier` (the shipped code, through the `sync.rs` shim).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_barrier`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use native_threads::barrier::{Arrive, Barrier, BarrierWait, State};
use native_threads::park::Timeout;

fn arrive_and_wait(b: &Barrier) -> BarrierWait {
    match b.arrive(Timeout::Forever).unwrap() {
        Arrive::Ticket(t) => b.wait(t, Timeout::Forever).unwrap(),
        Arrive::Broken => BarrierWait::Broken,
        Arrive::Waiting => BarrierWait::Waiting,
    }
}

/// Two parties on two threads: both are released, with indices 0 and 1, and
/// the barrier is filling again once both have left.
#[test]
fn two_parties_release_together() {
    loom::model(|| {
        let b = Arc::new(Barrier::new(2));
        let b2 = b.clone();
        let other = thread::spawn(move || arrive_and_wait(&b2));
        let mine = arrive_and_wait(&b);
        let theirs = other.join().unwrap();
        let mut idx = [mine, theirs].map(|w| match w {
            BarrierWait::Index(i) => i,
            w => panic!("{w:?}"),
        });
        idx.sort_unstable();
        assert_eq!(idx, [0, 1]);
        assert_eq!(b.state(), State::Filling);
    });
}

/// abort from another thread wakes a waiter (or fails its arrival): Broken.
#[test]
fn abort_wakes_waiter() {
    loom::model(|| {
        let b = Arc::new(Barrier::new(2));
        let b2 = b.clone();
        let waiter = thread::spawn(move || arrive_and_wait(&b2));
        b.abort();
        assert_eq!(waiter.join().unwrap(), BarrierWait::Broken);
        assert!(b.broken());
    });
}
