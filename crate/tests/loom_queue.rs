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

// The lane: JS's lock-free put and get on a FIFO queue's ring, through their
// Rust twins (`Queue::lane_put`, `lane_get`), against the addon's put and get,
// which take the queue's mutex and park. Under loom the ring has two slots.

/// A getter parked on an empty queue is woken by a put through the lane (the
/// GETTERS / ring handshake): the wake is never lost.
#[test]
fn lane_put_wakes_parked_getter() {
    loom::model(|| {
        let q = Arc::new(Queue::with_lane(0, Flavor::Fifo));
        q.lane(); // attaches the ring, as the first JS put or get does
        let p = q.clone();
        let producer = thread::spawn(move || assert!(p.lane_put(&[1])));
        assert_eq!(q.get(Timeout::Forever).unwrap(), Get::Item(vec![1]));
        producer.join().unwrap();
        assert_eq!(q.unfinished(), 1);
    });
}

/// Two getters parked, two puts through the lane: each put's wake takes its
/// getter out of GETTERS (so the next put wakes the other), and both get an item.
#[test]
fn lane_puts_wake_each_parked_getter() {
    loom::model(|| {
        let q = Arc::new(Queue::with_lane(0, Flavor::Simple));
        q.lane(); // attaches the ring, as the first JS put or get does
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let g = q.clone();
                thread::spawn(move || match g.get(Timeout::Forever).unwrap() {
                    Get::Item(item) => item[0],
                    other => panic!("{other:?}"),
                })
            })
            .collect();
        assert!(q.lane_put(&[1]));
        assert!(q.lane_put(&[2]));
        let mut got: Vec<u8> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, vec![1, 2]);
    });
}

/// A putter parked at the bound is woken by a get through the lane (the PUTTERS
/// / bound handshake), and its item then arrives.
#[test]
fn lane_get_wakes_parked_putter() {
    loom::model(|| {
        let q = Arc::new(Queue::with_lane(1, Flavor::Fifo));
        q.lane(); // attaches the ring, as the first JS put or get does
        assert_eq!(q.put(vec![1], Timeout::Now).unwrap(), Put::Ok);
        let p = q.clone();
        let producer = thread::spawn(move || {
            assert_eq!(p.put(vec![2], Timeout::Forever).unwrap(), Put::Ok);
        });
        let first = loop {
            if let Some(item) = q.lane_get() {
                break item;
            }
            thread::yield_now();
        };
        assert_eq!(first, vec![1]);
        producer.join().unwrap();
        assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(vec![2]));
    });
}

/// A producer fills the two-slot ring through the lane; an item that finds it
/// full goes to the side (the ring closes, so the next put cannot pass it), and
/// a consumer on the lane and the addon gets all four in order, the side's
/// refill reopening the ring.
#[test]
fn lane_and_side_keep_fifo_order() {
    loom::model(|| {
        let q = Arc::new(Queue::with_lane(0, Flavor::Simple));
        q.lane(); // attaches the ring, as the first JS put or get does
        let p = q.clone();
        let producer = thread::spawn(move || {
            for v in 1..=4u8 {
                if !p.lane_put(&[v]) {
                    assert_eq!(p.put(vec![v], Timeout::Now).unwrap(), Put::Ok);
                }
            }
        });
        for v in 1..=4u8 {
            let got = match q.lane_get() {
                Some(item) => item,
                None => match q.get(Timeout::Forever).unwrap() {
                    Get::Item(item) => item,
                    other => panic!("{other:?}"),
                },
            };
            assert_eq!(got, vec![v]);
        }
        producer.join().unwrap();
        assert!(q.is_empty());
    });
}

/// A task put through the lane is counted before its item can be got: a worker
/// that gets it and marks it done releases join, and join never returns early.
#[test]
fn lane_put_counts_its_task_before_publishing() {
    loom::model(|| {
        let q = Arc::new(Queue::with_lane(0, Flavor::Fifo));
        q.lane(); // attaches the ring, as the first JS put or get does
        let w = q.clone();
        let worker = thread::spawn(move || {
            assert_eq!(w.get(Timeout::Forever).unwrap(), Get::Item(vec![4]));
            assert_eq!(w.task_done(), TaskDone::AllDone);
        });
        assert!(q.lane_put(&[4]));
        assert!(q.join(Timeout::Forever).unwrap());
        assert_eq!(q.unfinished(), 0);
        worker.join().unwrap();
    });
}
