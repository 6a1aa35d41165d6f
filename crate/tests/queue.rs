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

/// Ring and side under two producers and two consumers: every item arrives
/// once, intact, and each consumer sees each producer's items in put order
/// (FIFO), bounded or not, while items too large for a slot keep closing the
/// ring and the side's refills keep opening it.
#[test]
fn ring_mpmc_keeps_each_producers_order() {
    const PER: u32 = 20_000;
    for maxsize in [0, 8, 300] {
        let q = Arc::new(Queue::with_lane(maxsize, Flavor::Fifo));
        q.lane(); // attaches the ring, as the first JS put or get does
        let producers: Vec<_> = (0..2u32)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for i in 0..PER {
                        let v = p * PER + i;
                        let len = if i % 50 == 7 {
                            200
                        } else {
                            4 + (i % 30) as usize
                        };
                        let mut it = sized(v, len);
                        it[..4].copy_from_slice(&v.to_le_bytes());
                        assert_eq!(q.put(it, Timeout::Forever).unwrap(), Put::Ok);
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Get::Item(it) = q.get(Timeout::Forever).unwrap() {
                        let v = num(&it);
                        let mut want = sized(v, it.len());
                        want[..4].copy_from_slice(&v.to_le_bytes());
                        assert_eq!(it, want, "item {v} intact");
                        got.push(v);
                    }
                    got
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        while !q.is_empty() {
            thread::yield_now();
        }
        q.shutdown(false);
        let mut all = Vec::new();
        for c in consumers {
            let got = c.join().unwrap();
            for p in 0..2 {
                let mine: Vec<u32> = got.iter().copied().filter(|v| v / PER == p).collect();
                assert!(
                    mine.windows(2).all(|w| w[0] < w[1]),
                    "maxsize {maxsize}: producer {p} in order"
                );
            }
            all.extend(got);
        }
        all.sort_unstable();
        assert_eq!(
            all,
            (0..2 * PER).collect::<Vec<_>>(),
            "maxsize {maxsize}: each once"
        );
        assert_eq!(q.unfinished(), u64::from(2 * PER));
    }
}

/// An item of `len` bytes derived from `v` (so a misplaced byte shows).
fn sized(v: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (v as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}

/// With a ring (as the queues JS makes have), small items go to the ring until it
/// is full or a large item goes to the side, and then to the side until it
/// drains: across thousands of wraps of the ring, gets return every item's exact
/// bytes in put order, and the size counts both places.
#[test]
fn ring_and_side_keep_fifo_order_and_bytes() {
    for flavor in [Flavor::Fifo, Flavor::Simple] {
        let q = Queue::with_lane(0, flavor);
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
            // Mostly as many gets as puts, about 200 items in: the ring (256 slots)
            // neither empties nor fills, and its positions wrap.
            let puts = if model.len() < 200 { 200 } else { rand(burst) };
            let gets = if rand(16) == 0 { rand(burst) } else { puts };
            for _ in 0..puts {
                let len = if burst > 60 && rand(100) == 0 {
                    600 + rand(400)
                } else if rand(500) == 0 {
                    // Just under, at and over ring::MAX_ITEM (120).
                    118 + rand(5)
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
    let q = Queue::with_lane(5, Flavor::Fifo);
    q.lane(); // attaches the ring, as the first JS put or get does
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

/// Ring positions count modulo 2^31, and the ring's puts are counted as tasks
/// at least every `ring::FOLD_EVERY` positions: started just before a fold
/// position and just before the wrap (by writing the ring's words, as the
/// shared cells let JS do), puts and gets through the lane and the addon keep
/// FIFO order, a full ring across the wrap is full (not claimed by another),
/// and the task count comes out exact.
#[test]
fn ring_positions_wrap_and_fold() {
    use native_threads::queue::ring::{FOLD_EVERY, SLOTS};
    use native_threads::words::{chunk, CHUNK_CELLS};
    use std::sync::atomic::Ordering::SeqCst;
    for start in [31 * FOLD_EVERY - 300, (1u32 << 31) - 300] {
        let start = start - start % SLOTS;
        let q = Queue::with_lane(0, Flavor::Fifo);
        let [header, ring] = q.lane().expect("a lane");
        let cell =
            |index: u32| &chunk(index / CHUNK_CELLS as u32).unwrap()[index as usize % CHUNK_CELLS];
        // TAIL is the header's word 0, HEAD its word 16: cells 0 and 8 (low halves).
        cell(header).store(u64::from(start), SeqCst);
        cell(header + 8).store(u64::from(start), SeqCst);
        // Slot i's sequence is its word 0 (a slot is 16 cells): free for `start + i`.
        for i in 0..SLOTS {
            cell(ring + 16 * i).store(u64::from(start + i), SeqCst);
        }
        // The first put through the addon counts the positions before `start` as
        // `start` tasks put before (the count starts from position 0), as if they
        // had been; from then on, counts happen as they would.
        assert_eq!(q.put(item(0), Timeout::Now).unwrap(), Put::Ok);
        let (mut put, mut got) = (1u32, 0u32);
        while got < 2000 {
            // Once, a burst that fills the ring across the wrap (and the side).
            let burst = if put == 151 { SLOTS + 50 } else { 3 };
            for _ in 0..burst {
                if put < 2000 {
                    if !q.lane_put(&item(put)) {
                        assert_eq!(q.put(item(put), Timeout::Now).unwrap(), Put::Ok);
                    }
                    put += 1;
                }
            }
            for _ in 0..2 {
                let it = match q.lane_get() {
                    Some(it) => it,
                    None => match q.get(Timeout::Now).unwrap() {
                        Get::Item(it) => it,
                        Get::Empty if put == 2000 && got == 2000 => break,
                        other => panic!("start {start}: {other:?} after {got}"),
                    },
                };
                assert_eq!(num(&it), got, "start {start}: FIFO");
                got += 1;
            }
        }
        assert_eq!(q.unfinished(), u64::from(start) + 2000, "start {start}");
        assert!(q.is_empty());
    }
}

/// Items put before the lane is attached are in the side: the ring stays closed
/// to the lane until they are got, so a later put cannot pass them.
#[test]
fn lane_attached_behind_earlier_items() {
    let q = Queue::with_lane(0, Flavor::Fifo);
    for i in 0..3 {
        assert_eq!(q.put(item(i), Timeout::Now).unwrap(), Put::Ok);
    }
    assert!(q.lane().is_some());
    assert!(!q.lane_put(&item(3)), "closed while the side has items");
    assert_eq!(q.put(item(3), Timeout::Now).unwrap(), Put::Ok);
    for i in 0..4 {
        assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(item(i)));
    }
    assert!(q.lane_put(&item(4)), "open once the side drained");
    assert_eq!(q.lane_get(), Some(item(4)));
    assert_eq!(q.unfinished(), 5);
}
