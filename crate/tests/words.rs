//! The shared cells (`words.rs`), alone in this test binary: the free list is
//! process-wide, and a test that allocates cells concurrently (every Lock does)
//! could take the freed cell this test expects back (it did, in CI, when this
//! test lived in tests/lock.rs).

#![cfg(not(loom))]

use std::sync::atomic::Ordering::Relaxed;

use native_threads::words::Cell;

#[test]
fn cells_are_shared_indexed_and_come_back_zeroed() {
    let a = Cell::new();
    let index = a.index().expect("a shared cell");
    a.u64().store(u64::MAX, Relaxed);
    drop(a);
    // The free list hands the cell out again, zeroed.
    let b = Cell::new();
    assert_eq!(b.index(), Some(index));
    assert_eq!(b.u64().load(Relaxed), 0);
    b.u32().store(7, Relaxed);
    let chunk =
        native_threads::words::chunk(index / native_threads::words::CHUNK_CELLS as u32).unwrap();
    let offset = index as usize % native_threads::words::CHUNK_CELLS;
    assert!(
        std::ptr::eq(&chunk[offset], b.u64()),
        "the chunk JS maps is the cell's memory"
    );
}
