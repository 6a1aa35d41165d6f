//! Queue: Python 3.13's `queue.Queue` (FIFO, optionally bounded, task tracking,
//! shutdown) over byte items.
//!
//! Algorithm: CPython's `Lib/queue.py` — one mutex over the whole state and three
//! wait conditions named for what they signal (`NOT_EMPTY`, `NOT_FULL`,
//! `ALL_DONE`) — with the conditions implemented by the parking lot
//! (`park.rs`), keyed by this queue's address plus 0, 1, 2, so that
//! `interrupt_all` reaches every waiter.
//!
//! Locking protocol: a waiter holds `inner`, sees it must wait, counts itself in
//! `getters`/`putters`/`joiners`, and enqueues in the parking lot *before*
//! releasing `inner` (`park`'s `before_sleep`). A state change is made under
//! `inner`, so it happens either before the waiter looked (it sees it) or after
//! the waiter is queued (the unpark finds it): no lost wakeups. The counters let
//! `put`/`get` skip the parking lot entirely when nobody waits.
//!
//! Invariants (under `inner`): `items.len() <= maxsize` when bounded;
//! `unfinished >= items.len()` except after `shutdown(true)` drained; a failed
//! call changes nothing (a refused item is handed back).
//!
//! Not done: lock-free storage (crossbeam's array/list flavors). The mutex is
//! held for a `VecDeque` push or pop only, so it is rarely contended for long.

use std::collections::VecDeque;

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout, TOKEN_NORMAL};
use crate::sync::{lock, Mutex};

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
    items: VecDeque<Vec<u8>>,
    /// Items put and not yet marked done (Python's `unfinished_tasks`).
    unfinished: u64,
    shutdown: bool,
    /// Threads parked (or about to park) on each condition.
    getters: u32,
    putters: u32,
    joiners: u32,
}

/// A FIFO queue, unbounded when `maxsize == 0`.
pub struct Queue {
    maxsize: usize,
    inner: Mutex<Inner>,
}

impl Queue {
    /// A new queue; `maxsize == 0` means unbounded.
    pub fn new(maxsize: usize) -> Queue {
        Queue {
            maxsize,
            inner: Mutex::new(Inner {
                items: VecDeque::new(),
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

    /// Appends `item`, waiting at most `timeout` for room.
    pub fn put(&self, item: Vec<u8>, timeout: Timeout) -> Result<Put> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            if g.shutdown {
                return Ok(Put::ShutDown(item));
            }
            if self.maxsize == 0 || g.items.len() < self.maxsize {
                g.items.push_back(item);
                g.unfinished += 1;
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

    /// Removes the oldest item, waiting at most `timeout` for one.
    pub fn get(&self, timeout: Timeout) -> Result<Get> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            if let Some(item) = g.items.pop_front() {
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
        lock(&self.inner).items.len()
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
            dropped.extend(g.items.drain(..));
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
        lock(&self.inner).items.drain(..).collect()
    }
}
