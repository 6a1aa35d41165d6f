//! Priority storage: `queue.PriorityQueue`, a binary min-heap (CPython's
//! `heapq`) ordered by the item's key, ties broken by put order.
//!
//! Keys are made by the front end in the format `src/backend/types.ts`
//! documents, and compared by [`compare_priority_keys`], a line-for-line port of
//! its `comparePriorityKeys` (both backends must order items the same way).
//! Some key pairs cannot be compared (a number against a string: Python's
//! `TypeError`):
//!
//! - A new key is compared with the keys heapq's sift-up would meet on its way
//!   from the new leaf towards the root (`newitem < parent`, stopping at the first
//!   parent that is not greater). Those comparisons are made *before* anything
//!   moves, so an incomparable key is refused with the heap unchanged (unlike
//!   CPython, whose `heappush` appends first and leaves the item behind).
//! - Keys compared later (children against each other in a pop's sift-down) may
//!   turn out incomparable too, because sift-up never compares siblings. Such a
//!   pair counts as equal, and the put sequence decides: a pop never fails.
//!
//! Invariant: `heap[p] <= heap[c]` for every parent p of a child c under
//! [`Entry::less`] (exact when all keys in the heap are mutually comparable;
//! with incomparable pairs the order is still a valid heap over a relation that
//! is not transitive, which only affects which of those items leaves first).

use std::cmp::Ordering;

/// Tag of an element that closes an array (`]`).
const CLOSE: u8 = 0x04;

/// Compares two priority keys: `None` when they cannot be compared. A port of
/// `comparePriorityKeys` in `src/backend/types.ts`, including how it reads a
/// malformed key: header bytes past the end read as 0, and a payload byte past
/// the end of either key makes the answer `Greater` (JS compares `NaN`). Lengths
/// of 2^31 and more (which JS reads as negative) cannot occur in a real key.
pub fn compare_priority_keys(a: &[u8], b: &[u8]) -> Option<Ordering> {
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        if i >= a.len() || j >= b.len() {
            return Some(if i < a.len() {
                Ordering::Greater
            } else if j < b.len() {
                Ordering::Less
            } else {
                Ordering::Equal
            });
        }
        let (ta, tb) = (a[i], b[j]);
        let (la, lb) = (length_at(a, i), length_at(b, j));
        if ta != tb {
            // A key that closes its array where the other goes on is the shorter
            // tuple, hence less; any other pair of different tags is incomparable.
            return if ta == CLOSE {
                Some(Ordering::Less)
            } else if tb == CLOSE {
                Some(Ordering::Greater)
            } else {
                None
            };
        }
        let (pa, pb) = (i.saturating_add(5), j.saturating_add(5));
        for k in 0..la.min(lb) {
            match (a.get(pa.saturating_add(k)), b.get(pb.saturating_add(k))) {
                (Some(x), Some(y)) if x != y => return Some(x.cmp(y)),
                (Some(_), Some(_)) => {}
                _ => return Some(Ordering::Greater),
            }
        }
        if la != lb {
            return Some(la.cmp(&lb));
        }
        // Moves on by at least 5, so the loop ends within a.len() / 5 rounds.
        i = pa.saturating_add(la);
        j = pb.saturating_add(lb);
    }
}

/// The u32 LE length after the tag at `at`; missing bytes read as 0 (JS `undefined | 0`).
fn length_at(key: &[u8], at: usize) -> usize {
    let byte = |k: usize| key.get(at.saturating_add(k)).copied().unwrap_or(0);
    u32::from_le_bytes([byte(1), byte(2), byte(3), byte(4)]) as usize
}

struct Entry {
    key: Vec<u8>,
    /// Put order: unique, increasing; breaks ties (and incomparable pairs).
    seq: u64,
    item: Vec<u8>,
}

impl Entry {
    /// The heap's order: by key, then by put order.
    fn less(&self, other: &Entry) -> bool {
        match compare_priority_keys(&self.key, &other.key) {
            Some(Ordering::Less) => true,
            Some(Ordering::Greater) => false,
            Some(Ordering::Equal) | None => self.seq < other.seq,
        }
    }
}

/// The heap.
#[derive(Default)]
pub(super) struct Priority {
    heap: Vec<Entry>,
    next_seq: u64,
}

impl Priority {
    pub(super) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Inserts `item` under `key`; hands `item` back, with nothing changed, when
    /// `key` cannot be compared with a key on its sift-up path.
    pub(super) fn push(&mut self, item: Vec<u8>, key: Vec<u8>) -> Result<(), Vec<u8>> {
        // Dry run of the sift-up below: the same comparisons, nothing moved yet.
        let mut pos = self.heap.len();
        while pos > 0 {
            let parent = (pos - 1) / 2;
            match compare_priority_keys(&key, &self.heap[parent].key) {
                None => return Err(item),
                // The new entry has the largest seq, so an equal key stops it.
                Some(Ordering::Less) => pos = parent,
                Some(_) => break,
            }
        }
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.heap.push(Entry { key, seq, item });
        let mut pos = self.heap.len() - 1;
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !self.heap[pos].less(&self.heap[parent]) {
                break;
            }
            self.heap.swap(pos, parent);
            pos = parent;
        }
        Ok(())
    }

    /// Removes the least entry (the first put among equal keys).
    pub(super) fn pop(&mut self) -> Option<Vec<u8>> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last.item);
        }
        let top = std::mem::replace(&mut self.heap[0], last);
        let n = self.heap.len();
        let mut pos = 0;
        loop {
            let left = 2 * pos + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].less(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].less(&self.heap[pos]) {
                break;
            }
            self.heap.swap(pos, child);
            pos = child;
        }
        Some(top.item)
    }

    /// Every item, in no particular order (the queue is being emptied).
    pub(super) fn drain(&mut self) -> Vec<Vec<u8>> {
        self.heap.drain(..).map(|e| e.item).collect()
    }
}
