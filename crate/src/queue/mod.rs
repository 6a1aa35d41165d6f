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
//! Locking protocol: the state is guarded by the queue's lock word, a
//! [`Lock`] in a shared cell that JavaScript also takes (with one
//! compare-exchange) to put to or get from the ring without an addon call
//! (`ring.rs`, and its JS side `src/backend/queue-lane.ts`). The state JS needs
//! lives in the queue's header words ([`Block`], shared cells); what only Rust
//! touches (the flavor's store, the joiners) is behind `inner`, a mutex taken
//! only while the lock word is held, so it is never contended. Both are held
//! together as a [`Held`].
//!
//! A waiter holds the state, sees it must wait, counts itself in `GETTERS`/
//! `PUTTERS`/`joiners`, and enqueues in the parking lot *before* letting go
//! (`park`'s `before_sleep`). A state change is made while holding it, so it
//! happens either before the waiter looked (it sees it) or after the waiter is
//! queued (the unpark finds it): no lost wakeups. The counters let `put`/`get`
//! (and JS) skip the parking lot entirely when nobody waits.
//!
//! Where items are (FIFO flavors, once JS has asked for the lane): small items in
//! the ring, the rest in the store ("side"). A put goes to the ring only while
//! the side is empty, and a get takes from the ring first, so every ring item is
//! older than every side item and the order is FIFO across the two.
//!
//! Invariants (while held): `COUNT + SIDE <= maxsize` when bounded;
//! `unfinished >= COUNT + SIDE` except after `shutdown(true)` drained, and
//! `unfinished == 0` for `Simple`; `SIDE == store.len()`; a failed call changes
//! nothing (a refused item is handed back, a priority key that cannot be
//! compared included).

mod fifo;
mod lifo;
mod priority;
#[cfg(not(loom))]
pub mod ring;

pub use priority::compare_priority_keys;

use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::park::{self, ParkResult, Timeout, TOKEN_NORMAL};
use crate::sync::{lock, Mutex, MutexGuard, Ordering};
use crate::words::Block;

use fifo::Fifo;
use lifo::Lifo;
use priority::Priority;

const NOT_EMPTY: usize = 0;
const NOT_FULL: usize = 1;
const ALL_DONE: usize = 2;

// The header words (u32, in the queue's header block). JS reads and writes them
// too, by these numbers (`src/backend/queue-lane.ts`), always holding the lock
// word except WATCHERS.
/// Items in the ring.
pub(crate) const COUNT: usize = 0;
/// Byte offset of the ring's oldest entry.
#[cfg_attr(loom, allow(dead_code))] // the ring is not built under loom
pub(crate) const HEAD: usize = 1;
/// Byte offset of the ring's next entry.
#[cfg_attr(loom, allow(dead_code))] // the ring is not built under loom
pub(crate) const TAIL: usize = 2;
/// Ring bytes taken (entries, and the end a wrap skipped).
#[cfg_attr(loom, allow(dead_code))] // the ring is not built under loom
pub(crate) const USED: usize = 3;
/// Items in the store (`Inner::store`, "the side").
const SIDE: usize = 4;
/// 1 once shut down.
const SHUT: usize = 5;
/// Threads parked (or about to park) for an item.
const GETTERS: usize = 6;
/// Threads parked (or about to park) for room.
const PUTTERS: usize = 7;
/// Async twins pending, counted by the front end with atomic adds (no lock): while
/// any is, JS's fast path steps aside, so every change goes through the addon,
/// which moves the queue's epoch that they watch.
#[allow(dead_code)] // written by JS only; named here so the layout is in one place
const WATCHERS: usize = 8;
/// Items put and not yet marked done (Python's `unfinished_tasks`), low and high
/// 32 bits; always 0 for `Simple`.
const UNFINISHED_LO: usize = 9;
const UNFINISHED_HI: usize = 10;
/// The bound (0: none), for JS; never changes.
const MAXSIZE: usize = 11;
/// 1 when a put counts a task (every flavor but `Simple`), for JS; never changes.
const TRACKS_TASKS: usize = 12;
/// Cells of the header block (16 words).
const HEADER_CELLS: usize = 8;

pub(crate) fn header_word(header: &Block, word: usize) -> u32 {
    // Relaxed: read while holding the lock word, whose acquire orders it.
    header.words()[word].load(Ordering::Relaxed)
}

pub(crate) fn set_header_word(header: &Block, word: usize, value: u32) {
    header.words()[word].store(value, Ordering::Relaxed);
}

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
    /// Threads parked (or about to park) in `join`.
    joiners: u32,
}

/// The lock word, released when dropped.
struct WordGuard<'a>(&'a Lock);

impl Drop for WordGuard<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// The queue's state, held: the lock word and then `inner`. Fields drop in order,
/// so `inner` is let go before the word.
struct Held<'a> {
    inner: MutexGuard<'a, Inner>,
    _word: WordGuard<'a>,
}

/// A queue of one flavor, unbounded when `maxsize == 0`.
pub struct Queue {
    maxsize: usize,
    flavor: Flavor,
    /// The lock word (see the module comment).
    word: Lock,
    header: Block,
    /// The ring's entries, once JS asked for the lane (FIFO flavors only).
    #[cfg(not(loom))]
    ring: std::sync::OnceLock<Block>,
    inner: Mutex<Inner>,
}

impl Queue {
    /// A new FIFO queue; `maxsize == 0` means unbounded.
    pub fn new(maxsize: usize) -> Queue {
        Queue::with_flavor(maxsize, Flavor::Fifo)
    }

    /// A new queue of `flavor`; `maxsize == 0` means unbounded (and a `Simple`
    /// queue is always unbounded). A bound above `u32::MAX` is `u32::MAX`.
    pub fn with_flavor(maxsize: usize, flavor: Flavor) -> Queue {
        let maxsize = if flavor == Flavor::Simple {
            0
        } else {
            maxsize.min(u32::MAX as usize)
        };
        let header = Block::new(HEADER_CELLS);
        set_header_word(&header, MAXSIZE, maxsize as u32);
        set_header_word(&header, TRACKS_TASKS, u32::from(flavor != Flavor::Simple));
        Queue {
            maxsize,
            flavor,
            word: Lock::new(),
            header,
            #[cfg(not(loom))]
            ring: std::sync::OnceLock::new(),
            inner: Mutex::new(Inner {
                store: Store::new(flavor),
                joiners: 0,
            }),
        }
    }

    fn key(&self, cond: usize) -> usize {
        // `Queue` is far larger than 3 bytes, so the three keys are addresses
        // inside it that no other object uses while it lives.
        self as *const Queue as usize + cond
    }

    /// Takes the lock word, then `inner`. The word is held only for a few loads and
    /// stores, never across a wait, so this returns soon, except once the process is
    /// exiting (`interrupt_all`): a daemon isolate terminated inside JS's few
    /// statements under the word never lets go of it, and a wait for it then ends
    /// with `Interrupted` like every other wait, so that no thread keeps the process
    /// from exiting.
    fn hold(&self) -> Result<Held<'_>> {
        let acquired = self.word.acquire(Timeout::Forever)?;
        debug_assert!(
            acquired,
            "a wait with no deadline ends acquired or interrupted"
        );
        let word = WordGuard(&self.word);
        Ok(Held {
            inner: lock(&self.inner),
            _word: word,
        })
    }

    fn get_word(&self, word: usize) -> u32 {
        header_word(&self.header, word)
    }

    fn set_word(&self, word: usize, value: u32) {
        set_header_word(&self.header, word, value);
    }

    fn add_word(&self, word: usize, delta: i32) {
        self.set_word(word, self.get_word(word).wrapping_add_signed(delta));
    }

    fn unfinished_held(&self) -> u64 {
        u64::from(self.get_word(UNFINISHED_HI)) << 32 | u64::from(self.get_word(UNFINISHED_LO))
    }

    fn set_unfinished(&self, n: u64) {
        self.set_word(UNFINISHED_LO, n as u32);
        self.set_word(UNFINISHED_HI, (n >> 32) as u32);
    }

    fn len_held(&self) -> usize {
        (self.get_word(COUNT) + self.get_word(SIDE)) as usize
    }

    /// Stores `item`: in the ring when it is attached, the side is empty and the
    /// item fits; else in the store (only a priority queue can refuse it).
    fn push_held(
        &self,
        g: &mut Held<'_>,
        item: Vec<u8>,
        key: Vec<u8>,
    ) -> std::result::Result<(), Vec<u8>> {
        #[cfg(not(loom))]
        if let Some(data) = self.ring.get() {
            if self.get_word(SIDE) == 0 && ring::Ring::of(&self.header, data).push(&item) {
                return Ok(());
            }
        }
        g.inner.store.push(item, key)?;
        self.set_word(SIDE, g.inner.store.len() as u32);
        Ok(())
    }

    /// The next item: the ring's oldest, else the store's next.
    fn pop_held(&self, g: &mut Held<'_>) -> Option<Vec<u8>> {
        #[cfg(not(loom))]
        if let Some(data) = self.ring.get() {
            if let Some(item) = ring::Ring::of(&self.header, data).pop() {
                return Some(item);
            }
        }
        let item = g.inner.store.pop()?;
        #[cfg(not(loom))]
        if let Some(data) = self.ring.get() {
            self.refill_ring(g, data);
        }
        self.set_word(SIDE, g.inner.store.len() as u32);
        Some(item)
    }

    /// Moves the side's oldest items into the (empty) ring while they fit, so that
    /// a producer that got ahead into the side comes back to the ring as soon as
    /// the side drains, instead of staying on the addon's path while it keeps
    /// ahead. The order holds: all of them are newer than what the ring held.
    #[cfg(not(loom))]
    fn refill_ring(&self, g: &mut Held<'_>, data: &Block) {
        let ring = ring::Ring::of(&self.header, data);
        if let Store::Fifo(fifo) = &mut g.inner.store {
            while fifo.front().is_some_and(|item| ring.push(item)) {
                fifo.pop();
            }
        }
    }

    /// Every item, oldest first (ring, then store).
    fn drain_held(&self, g: &mut Held<'_>) -> Vec<Vec<u8>> {
        let mut items = Vec::new();
        #[cfg(not(loom))]
        if let Some(data) = self.ring.get() {
            let ring = ring::Ring::of(&self.header, data);
            while let Some(item) = ring.pop() {
                items.push(item);
            }
        }
        items.extend(g.inner.store.drain());
        self.set_word(SIDE, 0);
        items
    }

    /// The bound given at creation (0: unbounded).
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// The storage order.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Where JS finds the lane (FIFO flavors only): the cell indexes of the lock
    /// word, the header and the ring, which this call attaches if it was not yet.
    /// None for the other flavors, or when a block could not be shared.
    #[cfg(not(loom))]
    pub fn lane(&self) -> Option<[u32; 3]> {
        if !matches!(self.flavor, Flavor::Fifo | Flavor::Simple) {
            return None;
        }
        let data = self.ring.get_or_init(|| Block::new(ring::CELLS));
        Some([self.word.cell()?, self.header.index()?, data.index()?])
    }

    /// Wakes one thread waiting for an item (after JS put one in the ring and saw
    /// GETTERS), or for room (after JS took one and saw PUTTERS).
    pub fn wake(&self, for_item: bool) {
        park::unpark_one(
            self.key(if for_item { NOT_EMPTY } else { NOT_FULL }),
            |_| TOKEN_NORMAL,
        );
    }

    /// Releases the lock word for JS, whose own release found parked threads.
    pub fn release_word(&self) -> bool {
        self.word.release()
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
        let mut g = self.hold()?;
        loop {
            if self.get_word(SHUT) != 0 {
                return Ok(Put::ShutDown(item));
            }
            if self.maxsize == 0 || self.len_held() < self.maxsize {
                if let Err(item) = self.push_held(&mut g, item, key) {
                    return Ok(Put::Incomparable(item));
                }
                if self.flavor != Flavor::Simple {
                    self.set_unfinished(self.unfinished_held() + 1);
                }
                let wake = self.get_word(GETTERS) > 0;
                drop(g);
                if wake {
                    self.wake(true);
                }
                return Ok(Put::Ok);
            }
            if timeout.expired() {
                return Ok(Put::Full(item));
            }
            self.add_word(PUTTERS, 1);
            let r = park::park(
                self.key(NOT_FULL),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = self.hold()?;
            self.add_word(PUTTERS, -1);
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Removes the next item (oldest, newest or least, by flavor), waiting at
    /// most `timeout` for one.
    pub fn get(&self, timeout: Timeout) -> Result<Get> {
        let deadline = timeout.deadline();
        let mut g = self.hold()?;
        loop {
            if let Some(item) = self.pop_held(&mut g) {
                let wake = self.get_word(PUTTERS) > 0;
                drop(g);
                if wake {
                    self.wake(false);
                }
                return Ok(Get::Item(item));
            }
            if self.get_word(SHUT) != 0 {
                return Ok(Get::ShutDown);
            }
            if timeout.expired() {
                return Ok(Get::Empty);
            }
            self.add_word(GETTERS, 1);
            let r = park::park(
                self.key(NOT_EMPTY),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = self.hold()?;
            self.add_word(GETTERS, -1);
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Number of items (a snapshot; "not reliable", as Python says).
    pub fn len(&self) -> usize {
        // At exit, if the word cannot be had (see `hold`), a racy read will do.
        let _g = self.hold();
        self.len_held()
    }

    /// Whether there are no items (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks one task done.
    pub fn task_done(&self) -> TaskDone {
        // At exit, if the word cannot be had (see `hold`), nothing is marked done.
        let Ok(g) = self.hold() else {
            return TaskDone::NoTask;
        };
        let unfinished = self.unfinished_held();
        if unfinished == 0 {
            return TaskDone::NoTask;
        }
        self.set_unfinished(unfinished - 1);
        if unfinished > 1 {
            return TaskDone::Done;
        }
        let wake = g.inner.joiners > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key(ALL_DONE));
        }
        TaskDone::AllDone
    }

    /// Number of tasks put and not yet marked done.
    pub fn unfinished(&self) -> u64 {
        // At exit, if the word cannot be had (see `hold`), a racy read will do.
        let _g = self.hold();
        self.unfinished_held()
    }

    /// Waits until every task is done; false on timeout.
    pub fn join(&self, timeout: Timeout) -> Result<bool> {
        let deadline = timeout.deadline();
        let mut g = self.hold()?;
        loop {
            if self.unfinished_held() == 0 {
                return Ok(true);
            }
            if timeout.expired() {
                return Ok(false);
            }
            g.inner.joiners += 1;
            let r = park::park(
                self.key(ALL_DONE),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = self.hold()?;
            g.inner.joiners -= 1;
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Python 3.13 `shutdown`: later puts fail, gets drain then fail. With
    /// `immediate`, the items are removed (each counted as a task done) and
    /// returned so the caller can release the handles they own.
    pub fn shutdown(&self, immediate: bool) -> Vec<Vec<u8>> {
        let mut g = self.hold();
        self.set_word(SHUT, 1);
        let mut dropped = Vec::new();
        // At exit, if the word cannot be had (see `hold`), the items stay (the word's
        // holder may be writing the ring); the waiters below still wake.
        if let (true, Ok(held)) = (immediate, g.as_mut()) {
            dropped = self.drain_held(held);
            self.set_unfinished(self.unfinished_held().saturating_sub(dropped.len() as u64));
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
        // At exit, if the word cannot be had (see `hold`), a racy read will do.
        let _g = self.hold();
        self.get_word(SHUT) != 0
    }

    /// Removes every item without any other change (the queue is being freed).
    pub fn take_all(&self) -> Vec<Vec<u8>> {
        // At exit, if the word cannot be had (see `hold`), the items are left to the
        // process's end (releasing their handles no longer matters).
        match self.hold() {
            Ok(mut g) => self.drain_held(&mut g),
            Err(_) => Vec::new(),
        }
    }
}
