//! Kernels 1 and 2: the seed's race (and its fix) and the seed's queue workers,
//! on crate-owned OS threads.

#![cfg(not(loom))]

use native_threads::kernels::{seed_queue, seed_race};

#[test]
fn race_loses_an_update_without_the_lock() {
    assert_eq!(seed_race(false, 20.0).unwrap(), 1);
}

#[test]
fn race_is_fixed_by_the_lock() {
    assert_eq!(seed_race(true, 20.0).unwrap(), 2);
}

#[test]
fn queue_workers_consume_every_item_once() {
    assert_eq!(seed_queue(4, 10_000).unwrap(), (9_999.0 * 10_000.0) / 2.0);
    assert_eq!(seed_queue(1, 0).unwrap(), 0.0);
}
