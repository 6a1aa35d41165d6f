//! Kernels: the seed tutorial's workloads on crate-owned OS threads, with no
//! JavaScript in the loop (for benchmarks, and to show the race on real threads).
//!
//! - `seed_race(locked, sleep_ms)`: two threads run the tutorial's `increase()`
//!   on one shared i64: read, sleep, write back the read value plus one. Unlocked,
//!   both read 0 and the end value is 1 (a barrier lines the two reads up, so the
//!   lost update is certain, not likely); locked, the crate's `Lock` is held across
//!   read-sleep-write and the end value is 2.
//! - `seed_queue(workers, items)`: `workers` threads take items from the crate's
//!   `Queue` and `task_done` each; the caller puts 0..items and joins the queue,
//!   then shuts it down so the workers end. Returns the sum of what the workers
//!   took (a checksum: `items * (items - 1) / 2`).
//!
//! Both are bounded by their arguments and fail with `Interrupted` at process exit
//! like any other blocking call.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier};

use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::park::Timeout;
use crate::queue::{Get, Put, Queue, TaskDone};
use crate::thread::sleep;

/// The seed's race (or, with `locked`, its fix); returns the end value.
pub fn seed_race(locked: bool, sleep_ms: f64) -> Result<i64> {
    let value = Arc::new(AtomicI64::new(0));
    let lock = Arc::new(Lock::new());
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (value, lock, barrier) = (value.clone(), lock.clone(), barrier.clone());
            std::thread::spawn(move || -> Result<()> {
                barrier.wait();
                if locked && !lock.acquire(Timeout::Forever)? {
                    return Err(Error::Interrupted);
                }
                // Relaxed load/store: the race is the point (like a Python global).
                let local = value.load(Ordering::Relaxed);
                let slept = sleep(sleep_ms);
                value.store(local + 1, Ordering::Relaxed);
                if locked {
                    lock.release();
                }
                slept
            })
        })
        .collect();
    let mut result = Ok(());
    for w in workers {
        let r = w.join().unwrap_or(Err(Error::Interrupted));
        result = result.and(r);
    }
    result.map(|()| value.load(Ordering::Relaxed))
}

/// The seed's worker pool over a queue; returns the checksum of consumed items.
pub fn seed_queue(workers: u32, items: u32) -> Result<f64> {
    let queue = Arc::new(Queue::new(0));
    let handles: Vec<_> = (0..workers.max(1))
        .map(|_| {
            let queue = queue.clone();
            std::thread::spawn(move || -> Result<u64> {
                let mut sum = 0u64;
                loop {
                    match queue.get(Timeout::Forever)? {
                        Get::Item(bytes) => {
                            let mut b = [0u8; 4];
                            b.copy_from_slice(bytes.get(..4).unwrap_or(&[0; 4]));
                            sum += u64::from(u32::from_le_bytes(b));
                            if queue.task_done() == TaskDone::NoTask {
                                return Err(Error::Interrupted);
                            }
                        }
                        Get::ShutDown | Get::Empty => return Ok(sum),
                    }
                }
            })
        })
        .collect();
    let mut result = Ok(());
    for i in 0..items {
        match queue.put(i.to_le_bytes().to_vec(), Timeout::Forever) {
            Ok(Put::Ok) => {}
            Ok(_) => break,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        result = queue.join(Timeout::Forever).map(|_| ());
    }
    queue.shutdown(false);
    let mut total = 0u64;
    for h in handles {
        match h.join().unwrap_or(Err(Error::Interrupted)) {
            Ok(s) => total += s,
            Err(e) => result = Err(e),
        }
    }
    result.map(|()| total as f64)
}
