//! FIFO storage: `queue.Queue` and `queue.SimpleQueue` (CPython's `_put` is
//! `append`, `_get` is `popleft`). Items leave in the order they were put.

use std::collections::VecDeque;

/// Items, oldest at the front.
#[derive(Default)]
pub(super) struct Fifo {
    items: VecDeque<Vec<u8>>,
}

impl Fifo {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn push(&mut self, item: Vec<u8>) {
        self.items.push_back(item);
    }

    /// The oldest item, left in place.
    pub(super) fn front(&self) -> Option<&Vec<u8>> {
        self.items.front()
    }

    pub(super) fn pop(&mut self) -> Option<Vec<u8>> {
        self.items.pop_front()
    }

    pub(super) fn drain(&mut self) -> Vec<Vec<u8>> {
        self.items.drain(..).collect()
    }
}
