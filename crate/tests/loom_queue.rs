//! Loom models of `Queue` (the shipped code, through the `sync.rs` shim).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_queue`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use native_threads::park::Timeout;
use native_threads::queue::{Flavor, Get, Put, Queue, TaskDone};

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

/// shutdown(immediate) drops the unfinished item and releases a blocked join.
#[test]
fn shutdown_immediate_releases_join() {
    loom::model(|| {
        let q = Arc::new(Queue::new(0));
        assert_eq!(q.put(vec![1], Timeout::Now).unwrap(), Put::Ok);
        let j = q.clone();
        let joiner = thread::spawn(move || j.join(Timeout::Forever).unwrap());
        assert_eq!(q.shutdown(true), vec![vec![1]]);
        assert!(joiner.join().unwrap());
        assert_eq!(q.task_done(), TaskDone::NoTask);
    });
}

/// LIFO and priority flavors block and wake like FIFO: a getter blocked on an
/// empty queue gets the item put by another thread, then join is released.
#[test]
fn flavors_block_and_track_tasks() {
    for flavor in [Flavor::Lifo, Flavor::Priority] {
        loom::model(move || {
            let q = Arc::new(Queue::with_flavor(1, flavor));
            let g = q.clone();
            let worker = thread::spawn(move || {
                assert_eq!(g.get(Timeout::Forever).unwrap(), Get::Item(vec![5]));
                assert_eq!(g.task_done(), TaskDone::AllDone);
            });
            assert_eq!(
                q.put_keyed(vec![5], vec![0x02, 0, 0, 0, 0], Timeout::Forever)
                    .unwrap(),
                Put::Ok
            );
            assert!(q.join(Timeout::Forever).unwrap());
            worker.join().unwrap();
        });
    }
}

/// A simple queue's blocked getter is released by shutdown; join and
/// task_done stay harmless.
#[test]
fn simple_shutdown_wakes_getter() {
    loom::model(|| {
        let q = Arc::new(Queue::with_flavor(0, Flavor::Simple));
        let g = q.clone();
        let getter = thread::spawn(move || g.get(Timeout::Forever).unwrap());
        q.shutdown(false);
        assert_eq!(getter.join().unwrap(), Get::ShutDown);
        assert!(q.join(Timeout::Now).unwrap());
        assert_eq!(q.task_done(), TaskDone::NoTask);
    });
}
