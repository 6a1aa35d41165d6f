//! Queue scenarios (Python 3.13 semantics): smoke, timeouts, bounded, task
//! tracking and join, shutdown (both kinds), mpmc, and "a failed call changes
//! nothing".

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::park::Timeout;
use native_threads::queue::{Get, Put, Queue, TaskDone};

fn item(n: u32) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

fn num(v: &[u8]) -> u32 {
    u32::from_le_bytes([v[0], v[1], v[2], v[3]])
}

#[test]
fn smoke_fifo() {
    let q = Queue::new(0);
    assert!(q.is_empty());
    for i in 0..10 {
        assert_eq!(q.put(item(i), Timeout::Now).unwrap(), Put::Ok);
    }
    assert_eq!(q.len(), 10);
    for i in 0..10 {
        assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(item(i)));
    }
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::Empty);
}

#[test]
fn get_times_out_on_empty() {
    let q = Queue::new(0);
    let t0 = Instant::now();
    assert_eq!(q.get(Timeout::from_ms(40.0)).unwrap(), Get::Empty);
    assert!(t0.elapsed() >= Duration::from_millis(35));
    assert_eq!(q.len(), 0);
}

#[test]
fn get_blocks_until_put() {
    let q = Arc::new(Queue::new(0));
    let q2 = q.clone();
    let getter = thread::spawn(move || q2.get(Timeout::Forever).unwrap());
    thread::sleep(Duration::from_millis(20));
    assert_eq!(q.put(item(7), Timeout::Now).unwrap(), Put::Ok);
    assert_eq!(getter.join().unwrap(), Get::Item(item(7)));
}

#[test]
fn bounded_put_full_hands_item_back_and_changes_nothing() {
    let q = Queue::new(2);
    assert_eq!(q.maxsize(), 2);
    assert_eq!(q.put(item(1), Timeout::Now).unwrap(), Put::Ok);
    assert_eq!(q.put(item(2), Timeout::Now).unwrap(), Put::Ok);
    assert_eq!(q.put(item(3), Timeout::Now).unwrap(), Put::Full(item(3)));
    let t0 = Instant::now();
    assert_eq!(
        q.put(item(4), Timeout::from_ms(30.0)).unwrap(),
        Put::Full(item(4))
    );
    assert!(t0.elapsed() >= Duration::from_millis(25));
    assert_eq!(q.len(), 2);
    assert_eq!(q.unfinished(), 2);
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(item(1)));
}

#[test]
fn bounded_put_blocks_until_get() {
    let q = Arc::new(Queue::new(1));
    assert_eq!(q.put(item(1), Timeout::Now).unwrap(), Put::Ok);
    let q2 = q.clone();
    let putter = thread::spawn(move || q2.put(item(2), Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(20));
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(item(1)));
    assert_eq!(putter.join().unwrap(), Put::Ok);
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(item(2)));
}

#[test]
fn task_done_and_join() {
    let q = Arc::new(Queue::new(0));
    assert_eq!(q.task_done(), TaskDone::NoTask, "more task_done than items");
    assert!(q.join(Timeout::Now).unwrap(), "nothing unfinished");
    q.put(item(1), Timeout::Now).unwrap();
    q.put(item(2), Timeout::Now).unwrap();
    assert!(!q.join(Timeout::from_ms(20.0)).unwrap());
    let q2 = q.clone();
    let joiner = thread::spawn(move || q2.join(Timeout::from_ms(5000.0)).unwrap());
    q.get(Timeout::Now).unwrap();
    q.get(Timeout::Now).unwrap();
    assert_eq!(q.task_done(), TaskDone::Done);
    thread::sleep(Duration::from_millis(10));
    assert_eq!(q.task_done(), TaskDone::AllDone);
    assert!(joiner.join().unwrap());
    assert_eq!(q.task_done(), TaskDone::NoTask);
}

#[test]
fn shutdown_fails_puts_and_drains_gets() {
    let q = Queue::new(0);
    q.put(item(1), Timeout::Now).unwrap();
    assert!(!q.is_shut_down());
    assert!(q.shutdown(false).is_empty());
    assert!(q.is_shut_down());
    assert_eq!(
        q.put(item(2), Timeout::Forever).unwrap(),
        Put::ShutDown(item(2))
    );
    assert_eq!(q.get(Timeout::Forever).unwrap(), Get::Item(item(1)));
    assert_eq!(q.get(Timeout::Forever).unwrap(), Get::ShutDown);
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::ShutDown);
}

#[test]
fn shutdown_immediate_drops_items_counts_them_done_and_wakes_join() {
    let q = Arc::new(Queue::new(0));
    for i in 0..3 {
        q.put(item(i), Timeout::Now).unwrap();
    }
    let q2 = q.clone();
    let joiner = thread::spawn(move || q2.join(Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(20));
    let dropped = q.shutdown(true);
    assert_eq!(dropped, vec![item(0), item(1), item(2)]);
    assert!(joiner.join().unwrap());
    assert_eq!(q.unfinished(), 0);
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::ShutDown);
}

#[test]
fn shutdown_wakes_blocked_getters_and_putters() {
    let q = Arc::new(Queue::new(1));
    let q_full = Arc::new(Queue::new(1));
    q_full.put(item(0), Timeout::Now).unwrap();
    let (a, b) = (q.clone(), q_full.clone());
    let getter = thread::spawn(move || a.get(Timeout::Forever).unwrap());
    let putter = thread::spawn(move || b.put(item(1), Timeout::Forever).unwrap());
    thread::sleep(Duration::from_millis(20));
    q.shutdown(false);
    q_full.shutdown(false);
    assert_eq!(getter.join().unwrap(), Get::ShutDown);
    assert_eq!(putter.join().unwrap(), Put::ShutDown(item(1)));
}

#[test]
fn mpmc_every_item_exactly_once() {
    let q = Arc::new(Queue::new(8));
    const PER: u32 = 2000;
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let q = q.clone();
            thread::spawn(move || {
                for i in 0..PER {
                    assert_eq!(q.put(item(p * PER + i), Timeout::Forever).unwrap(), Put::Ok);
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let q = q.clone();
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    match q.get(Timeout::Forever).unwrap() {
                        Get::Item(v) => {
                            got.push(num(&v));
                            q.task_done();
                        }
                        Get::ShutDown => return got,
                        Get::Empty => unreachable!(),
                    }
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    assert!(q.join(Timeout::from_ms(10_000.0)).unwrap());
    q.shutdown(false);
    let mut all: Vec<u32> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..2 * PER).collect::<Vec<_>>());
}
