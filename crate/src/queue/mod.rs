//! Queue: Python 3.13's `queue.Queue`, `LifoQueue`, `PriorityQueue` and
//! `SimpleQueue` (optionally bounded, task tracking, shutdown) over byte items.
//!
//! Algorithm: CPython's `Lib/queue.py` — one mutex over the whole state and three
//! wait conditions named for what they signal (`NOT_EMPTY`, `NOT_FULL`,
//! `ALL_DONE`) — with the conditions implemented by the parking lot
//! (`park.rs`), keyed by this queue's address plus 0, 1, 2, so that
//! `interrupt_all` reaches every waiter. As in CPython, the flavors differ only
//! in their storage (`_put`/`_get`), one file each, reached through the private
//! `Store` enum (crossbeam-channel's flavor dispatch):
//!
//! | flavor     | storage            | bounded | task tracking | file          |
//! |------------|--------------------|---------|---------------|---------------|
//! | `Fifo`     | `VecDeque`         | yes     | yes           | `fifo.rs`     |
//! | `Lifo`     | `Vec` (a stack)    | yes     | yes           | `lifo.rs`     |
//! | `Priority` | binary heap by key | yes     | yes           | `priority.rs` |
//! | `Simple`   | `VecDeque`         | no      | no            | `fifo.rs`     |
//!
//! `Simple` ignores `maxsize` (it is 0) and never counts unfinished tasks, so
//! `task_done` on it reports `NoTask` and `join` returns at once: harmless,
//! though the front end never calls them. Shutdown works as for the others.
//!
//! Locking protocol: a waiter holds `inner`, sees it must wait, counts itself in
//! `getters`/`putters`/`joiners`, and enqueues in the parking lot *before*
//! releasing `inner` (`park`'s `before_sleep`). A state change is made under
//! `inner`, so it happens either before the waiter looked (it sees it) or after
//! the waiter is queued (the unpark finds it): no lost wakeups. The counters let
//! `put`/`get` skip the parking lot entirely when nobody waits.
//!
//! Invariants (under `inner`): `store.len() <= maxsize` when bounded;
//! `unfinished >= store.len()` except after `shutdown(true)` drained, and
//! `unfinished == 0` for `Simple`; a failed call changes nothing (a refused item
//! is handed back, a priority key that cannot be compared included).
//!
//! Not done: lock-free storage (crossbeam's array/list flavors). The mutex is
//! held for a push or pop only, so it is rarely contended for long.

mod fifo;
mod lifo;
mod priority;

pub use priority::compare_priority_keys;

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout, TOKEN_NORMAL};
use crate::sync::{lock, Mutex};

use fifo::Fifo;
use lifo::Lifo;
use priority::Priority;

const NOT_EMPTY: usize = 0;
const NOT_FULL: usize = 1;
const ALL_DONE: usize = 2;

/// Outcome of `put`. A refused item is handed back (crossbeam's `TrySendError`).
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    /// Queued.
    Ok,
    /// Full (would block, or timed out).
    Full(Vec<u8>),
    /// Shut down.
    ShutDown(Vec<u8>),
    /// Priority queue: the key cannot be compared with one it met on its way in.
    Incomparable(Vec<u8>),
}

/// Storage order (and, for `Simple`, the lack of a bound and task tracking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `queue.Queue`: first in, first out.
    Fifo,
    /// `queue.LifoQueue`: last in, first out.
    Lifo,
    /// `queue.PriorityQueue`: least key first, ties in put order.
    Priority,
    /// `queue.SimpleQueue`: FIFO, unbounded, no task tracking.
    Simple,
}

impl Flavor {
    /// From the JS name (`'fifo' | 'lifo' | 'priority' | 'simple'`).
    pub fn parse(name: &str) -> Option<Flavor> {
        match name {
            "fifo" => Some(Flavor::Fifo),
            "lifo" => Some(Flavor::Lifo),
            "priority" => Some(Flavor::Priority),
            "simple" => Some(Flavor::Simple),
            _ => None,
        }
    }

    /// The JS name.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Fifo => "fifo",
            Flavor::Lifo => "lifo",
            Flavor::Priority => "priority",
            Flavor::Simple => "simple",
        }
    }
}

/// The flavors' storage, chosen once at creation.
enum Store {
    Fifo(Fifo),
    Lifo(Lifo),
    Priority(Priority),
}

impl Store {
    fn new(flavor: Flavor) -> Store {
        match flavor {
            Flavor::Fifo | Flavor::Simple => Store::Fifo(Fifo::default()),
            Flavor::Lifo => Store::Lifo(Lifo::default()),
            Flavor::Priority => Store::Priority(Priority::default()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Store::Fifo(s) => s.len(),
            Store::Lifo(s) => s.len(),
            Store::Priority(s) => s.len(),
        }
    }

    /// Stores `item`; only a priority queue can refuse it (handing it back).
    fn push(&mut self, item: Vec<u8>, key: Vec<u8>) -> std::result::Result<(), Vec<u8>> {
        match self {
            Store::Fifo(s) => s.push(item),
            Store::Lifo(s) => s.push(item),
            Store::Priority(s) => return s.push(item, key),
        }
        Ok(())
    }

    fn pop(&mut self) -> Option<Vec<u8>> {
        match self {
            Store::Fifo(s) => s.pop(),
            Store::Lifo(s) => s.pop(),
            Store::Priority(s) => s.pop(),
        }
    }

    fn drain(&mut self) -> Vec<Vec<u8>> {
        match self {
            Store::Fifo(s) => s.drain(),
            Store::Lifo(s) => s.drain(),
            Store::Priority(s) => s.drain(),
        }
    }
}

/// Outcome of `get`.
#[derive(Debug, PartialEq, Eq)]
pub enum Get {
    /// The oldest item.
    Item(Vec<u8>),
    /// Empty (would block, or timed out).
    Empty,
    /// Shut down and empty.
    ShutDown,
}

/// Outcome of `task_done`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskDone {
    /// There was no unfinished task; nothing changed.
    NoTask,
    /// One fewer unfinished task, some remain.
    Done,
    /// That was the last one: joiners were released.
    AllDone,
}

struct Inner {
    store: Store,
    /// Items put and not yet marked done (Python's `unfinished_tasks`); always
    /// 0 for `Simple`.
    unfinished: u64,
    shutdown: bool,
    /// Threads parked (or about to park) on each condition.
    getters: u32,
    putters: u32,
    joiners: u32,
}

/// A queue of one flavor, unbounded when `maxsize == 0`.
pub struct Queue {
    maxsize: usize,
    flavor: Flavor,
    inner: Mutex<Inner>,
}

impl Queue {
    /// A new FIFO queue; `maxsize == 0` means unbounded.
    pub fn new(maxsize: usize) -> Queue {
        Queue::with_flavor(maxsize, Flavor::Fifo)
    }

    /// A new queue of `flavor`; `maxsize == 0` means unbounded (and a `Simple`
    /// queue is always unbounded).
    pub fn with_flavor(maxsize: usize, flavor: Flavor) -> Queue {
        Queue {
            maxsize: if flavor == Flavor::Simple { 0 } else { maxsize },
            flavor,
            inner: Mutex::new(Inner {
                store: Store::new(flavor),
                unfinished: 0,
                shutdown: false,
                getters: 0,
                putters: 0,
                joiners: 0,
            }),
        }
    }

    fn key(&self, cond: usize) -> usize {
        // `Queue` is far larger than 3 bytes, so the three keys are addresses
        // inside it that no other object uses while it lives.
        self as *const Queue as usize + cond
    }

    /// The bound given at creation (0: unbounded).
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// The storage order.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Adds `item` (with an empty priority key), waiting at most `timeout` for room.
    pub fn put(&self, item: Vec<u8>, timeout: Timeout) -> Result<Put> {
        self.put_keyed(item, Vec::new(), timeout)
    }

    /// Adds `item`, waiting at most `timeout` for room. `key` orders it in a
    /// priority queue (the other flavors ignore it). As in CPython, the key is
    /// compared only once there is room: a full queue times out with `Full` even
    /// when the key would not have fit.
    pub fn put_keyed(&self, item: Vec<u8>, key: Vec<u8>, timeout: Timeout) -> Result<Put> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            if g.shutdown {
                return Ok(Put::ShutDown(item));
            }
            if self.maxsize == 0 || g.store.len() < self.maxsize {
                if let Err(item) = g.store.push(item, key) {
                    return Ok(Put::Incomparable(item));
                }
                if self.flavor != Flavor::Simple {
                    g.unfinished += 1;
                }
                let wake = g.getters > 0;
                drop(g);
                if wake {
                    park::unpark_one(self.key(NOT_EMPTY), |_| TOKEN_NORMAL);
                }
                return Ok(Put::Ok);
            }
            if timeout.expired() {
                return Ok(Put::Full(item));
            }
            g.putters += 1;
            let r = park::park(
                self.key(NOT_FULL),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = lock(&self.inner);
            g.putters -= 1;
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Removes the next item (oldest, newest or least, by flavor), waiting at
    /// most `timeout` for one.
    pub fn get(&self, timeout: Timeout) -> Result<Get> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            if let Some(item) = g.store.pop() {
                let wake = g.putters > 0;
                drop(g);
                if wake {
                    park::unpark_one(self.key(NOT_FULL), |_| TOKEN_NORMAL);
                }
                return Ok(Get::Item(item));
            }
            if g.shutdown {
                return Ok(Get::ShutDown);
            }
            if timeout.expired() {
                return Ok(Get::Empty);
            }
            g.getters += 1;
            let r = park::park(
                self.key(NOT_EMPTY),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = lock(&self.inner);
            g.getters -= 1;
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Number of items (a snapshot; "not reliable", as Python says).
    pub fn len(&self) -> usize {
        lock(&self.inner).store.len()
    }

    /// Whether there are no items (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks one task done.
    pub fn task_done(&self) -> TaskDone {
        let mut g = lock(&self.inner);
        if g.unfinished == 0 {
            return TaskDone::NoTask;
        }
        g.unfinished -= 1;
        if g.unfinished > 0 {
            return TaskDone::Done;
        }
        let wake = g.joiners > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key(ALL_DONE));
        }
        TaskDone::AllDone
    }

    /// Number of tasks put and not yet marked done.
    pub fn unfinished(&self) -> u64 {
        lock(&self.inner).unfinished
    }

    /// Waits until every task is done; false on timeout.
    pub fn join(&self, timeout: Timeout) -> Result<bool> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            if g.unfinished == 0 {
                return Ok(true);
            }
            if timeout.expired() {
                return Ok(false);
            }
            g.joiners += 1;
            let r = park::park(
                self.key(ALL_DONE),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = lock(&self.inner);
            g.joiners -= 1;
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Python 3.13 `shutdown`: later puts fail, gets drain then fail. With
    /// `immediate`, the items are removed (each counted as a task done) and
    /// returned so the caller can release the handles they own.
    pub fn shutdown(&self, immediate: bool) -> Vec<Vec<u8>> {
        let mut g = lock(&self.inner);
        g.shutdown = true;
        let mut dropped = Vec::new();
        if immediate {
            dropped = g.store.drain();
            g.unfinished = g.unfinished.saturating_sub(dropped.len() as u64);
        }
        drop(g);
        // Every waiter re-checks: getters see shutdown (or items), putters see
        // shutdown, joiners see the count.
        park::unpark_all(self.key(NOT_EMPTY));
        park::unpark_all(self.key(NOT_FULL));
        park::unpark_all(self.key(ALL_DONE));
        dropped
    }

    /// Whether `shutdown` was called.
    pub fn is_shut_down(&self) -> bool {
        lock(&self.inner).shutdown
    }

    /// Removes every item without any other change (the queue is being freed).
    pub fn take_all(&self) -> Vec<Vec<u8>> {
        lock(&self.inner).store.drain()
    }
}
