//! Property tests: long random sequences of operations checked step by step
//! against a plain model, for the queue of every flavor and for the registry.
//! A small xorshift generator keeps them dependency-free and reproducible: a
//! failure prints the seed and the step. Puts and gets use no wait or, now and
//! then, a short timeout (which must expire with Full / Empty when the model says
//! the queue is full / empty).

#![cfg(not(loom))]

use std::collections::{HashMap, VecDeque};

use native_threads::lock::Lock;
use native_threads::park::Timeout;
use native_threads::queue::{Flavor, Get, Put, Queue, TaskDone};
use native_threads::registry::{self, Object};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: plenty for choosing operations.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The item and priority key of value `v` (header: no handles; then the value).
fn item(v: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0];
    bytes.extend_from_slice(&v.to_le_bytes());
    bytes
}

fn key(v: u32) -> Vec<u8> {
    // One string element: big-endian bytes order as the numbers do.
    let mut k = vec![0x02, 4, 0, 0, 0];
    k.extend_from_slice(&v.to_be_bytes());
    k
}

/// What the queue must hold: values in the order `get` must return them.
struct Model {
    flavor: Flavor,
    maxsize: usize,
    items: VecDeque<u32>,
    unfinished: u64,
    shut_down: bool,
}

impl Model {
    fn next_out(&self) -> Option<u32> {
        match self.flavor {
            Flavor::Fifo | Flavor::Simple => self.items.front().copied(),
            Flavor::Lifo => self.items.back().copied(),
            Flavor::Priority => self.items.iter().min().copied(),
        }
    }

    fn take(&mut self, v: u32) {
        let at = self
            .items
            .iter()
            .position(|&x| x == v)
            .expect("model holds the value");
        self.items.remove(at);
    }
}

/// `lane`: the queue has a ring, and puts and gets go first through JS's lane
/// steps (`lane_put`, `lane_get`), then, when the lane says no, through the queue.
fn run_queue(flavor: Flavor, seed: u64, steps: usize, lane: bool) {
    let mut rng = Rng(seed);
    let maxsize = if flavor == Flavor::Simple {
        0
    } else {
        rng.below(4) as usize
    };
    let q = if lane {
        let q = Queue::with_lane(maxsize, flavor);
        assert!(q.lane().is_some());
        q
    } else {
        Queue::with_flavor(maxsize, flavor)
    };
    let mut m = Model {
        flavor,
        maxsize,
        items: VecDeque::new(),
        unfinished: 0,
        shut_down: false,
    };
    let mut next_value = 0u32;
    for step in 0..steps {
        let at = format!("{flavor:?} seed {seed} step {step}");
        let timeout = if rng.below(8) == 0 {
            Timeout::from_ms(1.0)
        } else {
            Timeout::Now
        };
        match rng.below(10) {
            0..=4 => {
                // Distinct values (an odd multiplier is a bijection on u32), in no
                // particular order, so that priority order is total and not FIFO.
                let v = next_value.wrapping_mul(0x9E37_79B1);
                next_value += 1;
                let outcome = if flavor == Flavor::Priority {
                    q.put_keyed(item(v), key(v), timeout).unwrap()
                } else if lane && q.lane_put(&item(v)) {
                    Put::Ok
                } else {
                    q.put(item(v), timeout).unwrap()
                };
                if m.shut_down {
                    assert_eq!(outcome, Put::ShutDown(item(v)), "{at}");
                } else if m.maxsize > 0 && m.items.len() >= m.maxsize {
                    assert_eq!(outcome, Put::Full(item(v)), "{at}");
                } else {
                    assert_eq!(outcome, Put::Ok, "{at}");
                    m.items.push_back(v);
                    if flavor != Flavor::Simple {
                        m.unfinished += 1;
                    }
                }
            }
            5..=7 => {
                let got = match q.lane_get() {
                    Some(it) if lane => Get::Item(it),
                    _ => q.get(timeout).unwrap(),
                };
                match m.next_out() {
                    Some(v) => {
                        assert_eq!(got, Get::Item(item(v)), "{at}");
                        m.take(v);
                    }
                    None if m.shut_down => assert_eq!(got, Get::ShutDown, "{at}"),
                    None => assert_eq!(got, Get::Empty, "{at}"),
                }
            }
            8 if flavor != Flavor::Simple => {
                let done = q.task_done();
                match m.unfinished {
                    0 => assert_eq!(done, TaskDone::NoTask, "{at}"),
                    1 => assert_eq!(done, TaskDone::AllDone, "{at}"),
                    _ => assert_eq!(done, TaskDone::Done, "{at}"),
                }
                m.unfinished = m.unfinished.saturating_sub(1);
                assert_eq!(q.join(Timeout::Now).unwrap(), m.unfinished == 0, "{at}");
            }
            _ => {
                // Rarely: shut down (now and then immediately, dropping the items).
                if rng.below(20) == 0 {
                    let immediate = rng.below(2) == 0;
                    let dropped = q.shutdown(immediate);
                    m.shut_down = true;
                    if immediate {
                        assert_eq!(dropped.len(), m.items.len(), "{at}");
                        if flavor != Flavor::Simple {
                            m.unfinished = m.unfinished.saturating_sub(m.items.len() as u64);
                        }
                        m.items.clear();
                    } else {
                        assert!(dropped.is_empty(), "{at}");
                    }
                }
            }
        }
        assert_eq!(q.len(), m.items.len(), "{at}: size");
        assert_eq!(q.is_shut_down(), m.shut_down, "{at}: shut down");
    }
}

#[test]
fn random_operations_match_the_model_for_every_flavor() {
    for flavor in [Flavor::Fifo, Flavor::Lifo, Flavor::Priority, Flavor::Simple] {
        for seed in 1..=40u64 {
            run_queue(
                flavor,
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                400,
                false,
            );
        }
    }
}

#[test]
fn random_lane_operations_match_the_model() {
    for flavor in [Flavor::Fifo, Flavor::Simple] {
        for seed in 1..=40u64 {
            run_queue(
                flavor,
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 3,
                400,
                true,
            );
        }
    }
}

#[test]
fn random_retain_and_release_free_exactly_when_the_count_reaches_zero() {
    let mut rng = Rng(0xDEC0_DE01);
    // handle -> references the model says it has
    let mut model: HashMap<u32, u32> = HashMap::new();
    let mut freed: Vec<u32> = Vec::new();
    for step in 0..20_000 {
        match rng.below(4) {
            0 => {
                let h = registry::insert(Object::Lock(Lock::new()));
                model.insert(h, 1);
            }
            1 if !model.is_empty() => {
                let h = *model
                    .keys()
                    .nth(rng.below(model.len() as u64) as usize)
                    .unwrap();
                registry::retain(h).unwrap();
                *model.get_mut(&h).unwrap() += 1;
            }
            2 | 3 if !model.is_empty() => {
                let h = *model
                    .keys()
                    .nth(rng.below(model.len() as u64) as usize)
                    .unwrap();
                registry::release(h).unwrap();
                let refs = model.get_mut(&h).unwrap();
                *refs -= 1;
                if *refs == 0 {
                    model.remove(&h);
                    freed.push(h);
                }
            }
            _ => {}
        }
        if step % 1000 == 0 {
            for &h in model.keys() {
                assert_eq!(
                    registry::kind_of(h),
                    Some("lock"),
                    "step {step}: live handle {h}"
                );
            }
            for &h in freed.iter().rev().take(50) {
                assert_eq!(registry::kind_of(h), None, "step {step}: freed handle {h}");
                assert!(
                    registry::retain(h).is_err(),
                    "step {step}: a freed handle cannot be revived"
                );
            }
        }
    }
    for (h, refs) in model {
        for _ in 0..refs {
            registry::release(h).unwrap();
        }
        assert_eq!(registry::kind_of(h), None);
    }
}
