//! Queue scenarios (Python 3.13 semantics): smoke, timeouts, bounded, task
//! tracking and join, shutdown (both kinds), mpmc, and "a failed call changes
//! nothing".

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::park::Timeout;
use native_threads::queue::{Flavor, Get, Put, Queue, TaskDone};

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

/// An item of `len` bytes derived from `v` (so a misplaced byte shows).
fn sized(v: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (v as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}

/// With the lane attached (as the first JS put or get does), small items go to
/// the ring until it is full or a large item goes to the side, and then to the
/// side until it drains: across thousands of wraps of the ring, gets return every
/// item's exact bytes in put order, and the size counts both places.
#[test]
fn ring_and_side_keep_fifo_order_and_bytes() {
    for flavor in [Flavor::Fifo, Flavor::Simple] {
        let q = Queue::with_flavor(0, flavor);
        assert!(q.lane().is_some(), "{flavor:?}: lane");
        let mut model: std::collections::VecDeque<Vec<u8>> = Default::default();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut v = 0u32;
        let mut got = 0u64;
        for round in 0..4000 {
            // Short bursts keep the ring part full, so it wraps; now and then a long
            // one overflows it to the side. Sizes cross MAX_ITEM now and then.
            let burst = if rand(400) == 0 { 3000 } else { 60 };
            // Mostly as many gets as puts, about 500 items in: the ring neither
            // empties (which resets it to offset 0) nor fills, and its tail wraps.
            let puts = if model.len() < 500 { 500 } else { rand(burst) };
            let gets = if rand(16) == 0 { rand(burst) } else { puts };
            for _ in 0..puts {
                let len = if burst > 60 && rand(100) == 0 {
                    600 + rand(400)
                } else {
                    rand(40)
                } as usize;
                let it = sized(v, len);
                v += 1;
                assert_eq!(q.put(it.clone(), Timeout::Now).unwrap(), Put::Ok);
                model.push_back(it);
            }
            for _ in 0..gets {
                match model.pop_front() {
                    Some(want) => {
                        assert_eq!(
                            q.get(Timeout::Now).unwrap(),
                            Get::Item(want),
                            "{flavor:?} round {round}"
                        );
                        got += 1;
                    }
                    None => assert_eq!(q.get(Timeout::Now).unwrap(), Get::Empty),
                }
            }
            assert_eq!(q.len(), model.len(), "{flavor:?} round {round}: size");
        }
        let rest = q.shutdown(true);
        assert_eq!(
            rest,
            Vec::from(model),
            "{flavor:?}: shutdown(true) hands back the rest in order"
        );
        // Items got are still unfinished (no task_done here); the dropped ones are not.
        assert_eq!(
            q.unfinished(),
            if flavor == Flavor::Simple { 0 } else { got }
        );
        assert!(q.is_empty());
    }
}

/// The bound counts ring and side together, and take_all empties both.
#[test]
fn ring_bound_and_take_all() {
    let q = Queue::new(5);
    q.lane();
    for i in 0..4 {
        assert_eq!(q.put(item(i), Timeout::Now).unwrap(), Put::Ok);
    }
    assert_eq!(q.put(sized(9, 2000), Timeout::Now).unwrap(), Put::Ok); // to the side
    assert_eq!(q.put(item(5), Timeout::Now).unwrap(), Put::Full(item(5)));
    assert_eq!(q.len(), 5);
    let all = q.take_all();
    assert_eq!(all.len(), 5);
    assert_eq!((num(&all[0]), all[4].len()), (0, 2000));
    assert!(q.is_empty());
}
