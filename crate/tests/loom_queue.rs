//! Loom models of `Queue` (the shipped code, through the `sync.rs` shim).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_queue`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use native_threads::park::Timeout;
use native_threads::queue::{Get, Put, Queue, TaskDone};

/// Bounded(1) queue, a producer that must block on the second put, a consumer
/// that must block when empty: both items arrive, in order.
#[test]
fn spsc_bounded_blocking() {
    loom::model(|| {
        let q = Arc::new(Queue::new(1));
        let p = q.clone();
        let producer = thread::spawn(move || {
            assert_eq!(p.put(vec![1], Timeout::Forever).unwrap(), Put::Ok);
            assert_eq!(p.put(vec![2], Timeout::Forever).unwrap(), Put::Ok);
        });
        assert_eq!(q.get(Timeout::Forever).unwrap(), Get::Item(vec![1]));
        assert_eq!(q.get(Timeout::Forever).unwrap(), Get::Item(vec![2]));
        producer.join().unwrap();
        assert!(q.is_empty());
    });
}

/// A getter blocked on an empty queue is released by shutdown.
#[test]
fn shutdown_wakes_getter() {
    loom::model(|| {
        let q = Arc::new(Queue::new(0));
        let g = q.clone();
        let getter = thread::spawn(move || g.get(Timeout::Forever).unwrap());
        q.shutdown(false);
        assert_eq!(getter.join().unwrap(), Get::ShutDown);
        assert_eq!(
            q.put(vec![1], Timeout::Now).unwrap(),
            Put::ShutDown(vec![1])
        );
    });
}

/// join returns once the worker marked the only task done.
#[test]
fn task_done_releases_join() {
    loom::model(|| {
        let q = Arc::new(Queue::new(0));
        assert_eq!(q.put(vec![7], Timeout::Now).unwrap(), Put::Ok);
        let w = q.clone();
        let worker = thread::spawn(move || {
            assert_eq!(w.get(Timeout::Forever).unwrap(), Get::Item(vec![7]));
            assert_eq!(w.task_done(), TaskDone::AllDone);
        });
        assert!(q.join(Timeout::Forever).unwrap());
        worker.join().unwrap();
        assert_eq!(q.task_done(), TaskDone::NoTask);
    });
}
