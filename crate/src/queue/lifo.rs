//! LIFO storage: `queue.LifoQueue` (CPython's `_put` is `append`, `_get` is
//! `pop`). The newest item leaves first: a stack.

/// Items, newest at the end.
#[derive(Default)]
pub(super) struct Lifo {
    items: Vec<Vec<u8>>,
}

impl Lifo {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn push(&mut self, item: Vec<u8>) {
        self.items.push(item);
    }

    pub(super) fn pop(&mut self) -> Option<Vec<u8>> {
        self.items.pop()
    }

    /// Oldest first, so a caller that releases them does so in put order.
    pub(super) fn drain(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.items)
    }
}
