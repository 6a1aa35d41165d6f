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
//! Locking protocol: one mutex (`inner`) over the state, as in CPython, except
//! for the ring (FIFO flavors made for JS, `ring.rs`): a lock-free queue of small
//! items in shared memory, which JS puts to and gets from with no addon call and
//! no lock (its JS side is `src/backend/queue-lane.ts`). The words JS needs are
//! the queue's header words ([`Block`], shared cells), written by Rust only while
//! holding `inner`, except the ring's positions and the counters named below.
//!
//! A waiter holds `inner`, sees it must wait, counts itself in `AWAITING_ITEM`/
//! `AWAITING_ROOM`/`joiners`, and enqueues in the parking lot *before* letting go
//! (`park`'s `before_sleep`). A change under `inner` happens either before the
//! waiter looked (it sees it) or after it is queued (the unpark finds it). A
//! change through the ring, made without `inner`, is the other half of a
//! Dekker handshake: the waiter counts itself, a SeqCst fence, and it re-checks
//! the ring inside `park`'s `validate`, under the parking lot's bucket lock; the
//! ring's put (get) publishes, a SeqCst fence, and it reads `AWAITING_ITEM`
//! (`AWAITING_ROOM`), waking one when it is not 0. One of the two sees the other, and
//! a wake takes the bucket lock, so it finds the waiter queued: no lost wakeups.
//! (JS's `Atomics` operations are all sequentially consistent.)
//!
//! Where items are (FIFO flavors with a ring): small items in the ring, the rest
//! in the store ("the side", `SIDE` items). The ring is closed while the side
//! has items, and a get takes from the ring first, so every ring item is older
//! than every side item and the order is FIFO across the two (`ring.rs`).
//!
//! Invariants (while holding `inner`): `ring.len() + SIDE <= maxsize` when
//! bounded (the ring's puts check the bound in the compare-exchange that claims
//! a position); the ring is closed when `SIDE > 0` or shut down; `SIDE ==
//! store.len()`; unfinished tasks (`Inner::unfinished`, plus the ring's puts
//! since `Inner::folded_tail`) `>= ring.len() + SIDE` except after `shutdown(true)` drained, and 0 for
//! `Simple`; a failed call changes nothing (a refused item is handed back, a
//! priority key that cannot be compared included).

mod fifo;
mod lifo;
mod priority;
pub mod ring;

pub use priority::compare_priority_keys;

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout, Token, TOKEN_HANDOFF, TOKEN_NORMAL};
use crate::sync::{fence, lock, AtomicU32, Mutex, MutexGuard, Ordering};
use crate::words::Block;

use fifo::Fifo;
use lifo::Lifo;
use priority::Priority;
use ring::{Push, Pusher, Ring};

/// The token of a thread woken by `Queue::wake`, which also took it out of the
/// count it was in (AWAITING_ITEM or AWAITING_ROOM): otherwise every put (get) until the woken
/// thread runs again would see it counted, and call the addon to wake it again.
const UNCOUNTED: Token = TOKEN_HANDOFF;

const NOT_EMPTY: usize = 0;
const NOT_FULL: usize = 1;
const ALL_DONE: usize = 2;

// The header words (u32, in the queue's header block), by the numbers JS uses too
// (`src/backend/queue-lane.ts`). The producers' word and the consumers' word are
// 64 bytes apart (cells are 8-aligned, so they never share a cache line), and
// apart from the words both only read.
/// The ring's next position to put at, and its CLOSED bit (`ring.rs`). The
/// ring's puts count their tasks by it (`fold_ring_puts`).
pub(crate) const TAIL: usize = 0;
/// The ring's next position to get from.
pub(crate) const HEAD: usize = 16;
/// Items in the store (`Inner::store`, "the side").
const SIDE: usize = 32;
/// 1 once shut down.
const SHUT: usize = 33;
/// What a put must wake: threads parked (or about to park) for an item and not
/// yet woken by `wake`, plus the async twins watching the queue (the front end
/// adds and removes those with atomic adds: a change through the ring that sees
/// one asks the addon to move the queue's epoch, which they watch).
const AWAITING_ITEM: usize = 34;
/// What a get must wake on a bounded queue: threads parked for room, and the
/// async twins, as above. An unbounded queue's gets never look (`wake_room`).
const AWAITING_ROOM: usize = 35;
/// The bound (0: none), for JS; never changes.
const MAXSIZE: usize = 36;
/// Cells of the header block (38 words).
const HEADER_CELLS: usize = 19;

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
    /// Items put and not yet marked done (Python's `unfinished_tasks`), besides
    /// the ring's puts since `folded_tail`; always 0 for `Simple`.
    unfinished: u64,
    /// The ring's TAIL position when its puts were last counted into `unfinished`.
    folded_tail: u32,
}

type Held<'a> = MutexGuard<'a, Inner>;

/// A queue of one flavor, unbounded when `maxsize == 0`.
pub struct Queue {
    maxsize: usize,
    flavor: Flavor,
    header: Block,
    /// Whether JS may ask for a lane (FIFO flavors made by `with_lane`).
    lane_allowed: bool,
    /// The ring's slots, attached by the first `lane` call: a queue that JS never
    /// puts to or gets from costs no ring. Set once, holding `inner`.
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
        Queue::make(maxsize, flavor, false)
    }

    /// As [`Queue::with_flavor`], and JS may ask for a lane (see `lane`) when the
    /// flavor is FIFO: the queues JS makes.
    pub fn with_lane(maxsize: usize, flavor: Flavor) -> Queue {
        Queue::make(maxsize, flavor, true)
    }

    fn make(maxsize: usize, flavor: Flavor, lane: bool) -> Queue {
        let maxsize = if flavor == Flavor::Simple {
            0
        } else {
            maxsize.min(u32::MAX as usize)
        };
        let header = Block::new(HEADER_CELLS);
        header.words()[MAXSIZE].store(maxsize as u32, Ordering::Relaxed);
        // Closed until `lane` attaches the ring and finds the side empty.
        header.words()[TAIL].store(ring::CLOSED, Ordering::Relaxed);
        Queue {
            maxsize,
            flavor,
            header,
            lane_allowed: lane && matches!(flavor, Flavor::Fifo | Flavor::Simple),
            ring: std::sync::OnceLock::new(),
            inner: Mutex::new(Inner {
                store: Store::new(flavor),
                joiners: 0,
                unfinished: 0,
                folded_tail: 0,
            }),
        }
    }

    fn key(&self, cond: usize) -> usize {
        // `Queue` is far larger than 3 bytes, so the three keys are addresses
        // inside it that no other object uses while it lives.
        self as *const Queue as usize + cond
    }

    fn hold(&self) -> Held<'_> {
        lock(&self.inner)
    }

    fn word(&self, word: usize) -> &AtomicU32 {
        &self.header.words()[word]
    }

    fn ring(&self) -> Option<Ring<'_>> {
        self.ring.get().map(|data| Ring::of(&self.header, data))
    }

    /// Counts the tasks of the ring's puts since the last fold into `unfinished`
    /// (holding `inner`). A put claims its position before it publishes the
    /// item, so a task got and marked done was counted by then. The lane leaves
    /// every [`ring::FOLD_EVERY`]-th position to the addon's put, which folds,
    /// so the positions between two folds never wrap.
    fn fold_ring_puts(&self, g: &mut Held<'_>) {
        if self.flavor == Flavor::Simple {
            return;
        }
        if let Some(ring) = self.ring() {
            let tail = ring.tail();
            g.unfinished += u64::from(ring::positions_between(g.folded_tail, tail));
            g.folded_tail = tail;
        }
    }

    fn side(&self) -> usize {
        self.word(SIDE).load(Ordering::Relaxed) as usize
    }

    fn shut(&self) -> bool {
        self.word(SHUT).load(Ordering::SeqCst) != 0
    }

    /// Items in ring and side (a snapshot: the ring changes without `inner`).
    fn len_now(&self) -> usize {
        self.ring().map_or(0, |r| r.len() as usize) + self.side()
    }

    /// Whether a get would find an item now (for a getter about to park).
    fn has_item(&self) -> bool {
        self.side() > 0 || self.ring().is_some_and(|r| r.ready())
    }

    /// Whether a put is refused by the bound now (for a putter about to park).
    fn at_bound(&self) -> bool {
        self.maxsize != 0 && self.len_now() >= self.maxsize
    }

    fn set_side(&self, g: &Held<'_>) {
        self.word(SIDE)
            .store(g.store.len() as u32, Ordering::Relaxed);
    }

    /// Opens the ring once the side is empty (unless shut down).
    fn reopen_ring(&self, ring: &Ring<'_>) {
        if self.side() == 0 && !self.shut() {
            ring.open();
        }
    }

    /// Stores `item` if the bound allows: in the ring when it is open and the
    /// item fits, else in the side, behind the ring's items (so the ring closes
    /// first), counting its task. Ok(None) when stored; Ok(Some(item)) at the
    /// bound.
    fn push_held(
        &self,
        g: &mut Held<'_>,
        item: Vec<u8>,
        key: &mut Vec<u8>,
    ) -> std::result::Result<Option<Vec<u8>>, Vec<u8>> {
        let ring = self.ring();
        if let Some(ring) = &ring {
            if ring.push(&item, self.maxsize as u32, Pusher::Queue) == Push::Done {
                self.fold_ring_puts(g);
                return Ok(None);
            }
            ring.close();
        }
        if self.at_bound() {
            if let Some(ring) = &ring {
                self.reopen_ring(ring);
            }
            return Ok(Some(item));
        }
        g.store.push(item, std::mem::take(key))?;
        self.set_side(g);
        if self.flavor != Flavor::Simple {
            g.unfinished += 1;
        }
        Ok(None)
    }

    /// The next item: the ring's oldest, else the side's next.
    fn pop_held(&self, g: &mut Held<'_>) -> Option<Vec<u8>> {
        let ring = self.ring();
        if let Some(item) = ring.as_ref().and_then(|r| r.pop()) {
            return Some(item);
        }
        let item = g.store.pop()?;
        if let Some(ring) = &ring {
            self.refill_ring(g, ring);
        }
        self.set_side(g);
        if let Some(ring) = &ring {
            self.reopen_ring(ring);
        }
        Some(item)
    }

    /// Moves the side's oldest items into the (closed) ring while they fit, so
    /// that a producer that got ahead into the side comes back to the ring as
    /// soon as the side drains, instead of staying on the addon's path while it
    /// keeps ahead. The order holds: all of them are newer than what the ring
    /// held. Their tasks were counted when they went to the side, so the
    /// positions they take are folded as counted.
    fn refill_ring(&self, g: &mut Held<'_>, ring: &Ring<'_>) {
        self.fold_ring_puts(g);
        if let Store::Fifo(fifo) = &mut g.store {
            while fifo
                .front()
                .is_some_and(|item| ring.push(item, 0, Pusher::Refill) == Push::Done)
            {
                fifo.pop();
            }
        }
        g.folded_tail = ring.tail();
    }

    /// Every item, oldest first (ring, then side). The ring stays closed: the
    /// queue is shut down or being freed. A put whose position was claimed and
    /// not yet published is not waited for.
    fn drain_held(&self, g: &mut Held<'_>) -> Vec<Vec<u8>> {
        let mut items = Vec::new();
        if let Some(ring) = self.ring() {
            ring.close();
            while let Some(item) = ring.pop() {
                items.push(item);
            }
        }
        items.extend(g.store.drain());
        self.set_side(g);
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

    /// Where JS finds the lane: the cell indexes of the header and the ring,
    /// which this call attaches if it was not yet (32 KiB of shared cells, reused
    /// once the queue is freed). None when no lane is allowed (see
    /// [`Queue::with_lane`]), or when a block could not be shared.
    pub fn lane(&self) -> Option<[u32; 2]> {
        if !self.lane_allowed {
            return None;
        }
        if self.ring.get().is_none() {
            let _g = self.hold();
            if self.ring.get().is_none() {
                let data = Block::new(ring::CELLS);
                Ring::init(&data);
                let ring = Ring::of(&self.header, self.ring.get_or_init(|| data));
                // Items put before went to the side: the ring opens once it drains.
                self.reopen_ring(&ring);
            }
        }
        Some([self.header.index()?, self.ring.get()?.index()?])
    }

    /// Wakes one thread waiting for an item (after a put through the ring saw
    /// AWAITING_ITEM), or for room (after a get saw AWAITING_ROOM), and takes it
    /// out of that count (see UNCOUNTED).
    pub fn wake(&self, for_item: bool) {
        let (key, count) = if for_item {
            (NOT_EMPTY, AWAITING_ITEM)
        } else {
            (NOT_FULL, AWAITING_ROOM)
        };
        park::unpark_one(self.key(key), |r| {
            if r.unparked_threads == 0 {
                return TOKEN_NORMAL;
            }
            self.word(count).fetch_sub(1, Ordering::SeqCst);
            UNCOUNTED
        });
    }

    /// After a change through the ring: wakes one thread counted in `count`
    /// (AWAITING_ITEM or AWAITING_ROOM). The fence pairs with the one in
    /// `count_waiter`: either the waiter's re-check sees the change, or this sees
    /// the waiter.
    fn wake_counted(&self, count: usize) {
        fence(Ordering::SeqCst);
        if self.word(count).load(Ordering::Relaxed) != 0 {
            self.wake(count == AWAITING_ITEM);
        }
    }

    /// After a get: wakes a thread waiting for room. Only a bounded queue has
    /// any: an unbounded one's puts never wait, and its async twins wait for
    /// items, which puts signal.
    fn wake_room(&self) {
        if self.maxsize != 0 {
            self.wake_counted(AWAITING_ROOM);
        }
    }

    /// Counts a thread about to park in `count`, before its re-check (`park`'s
    /// `validate`; see `wake_counted`).
    fn count_waiter(&self, count: usize) {
        self.word(count).fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }

    /// After a park: leaves the count a waiter joined, unless `wake` took it out.
    fn uncount_waiter(&self, count: usize, parked: ParkResult) {
        if parked != ParkResult::Unparked(UNCOUNTED) {
            self.word(count).fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// JS's lane put (`src/backend/queue-lane.ts`), step for step, for the loom
    /// models, which cannot run JS: puts `item` in the ring when it is open, has
    /// room and takes it, with no lock, and wakes a parked getter. False: nothing
    /// changed, use `put`.
    pub fn lane_put(&self, item: &[u8]) -> bool {
        let Some(ring) = self.ring() else {
            return false;
        };
        if ring.push(item, self.maxsize as u32, Pusher::Lane) != Push::Done {
            return false;
        }
        self.wake_counted(AWAITING_ITEM);
        true
    }

    /// JS's lane get, as `lane_put`: the ring's oldest item, with no lock, waking
    /// a parked putter. None: use `get`.
    pub fn lane_get(&self) -> Option<Vec<u8>> {
        let item = self.ring()?.pop()?;
        self.wake_room();
        Some(item)
    }

    /// Adds `item` (with an empty priority key), waiting at most `timeout` for room.
    pub fn put(&self, item: Vec<u8>, timeout: Timeout) -> Result<Put> {
        self.put_keyed(item, Vec::new(), timeout)
    }

    /// Adds `item`, waiting at most `timeout` for room. `key` orders it in a
    /// priority queue (the other flavors ignore it). As in CPython, the key is
    /// compared only once there is room: a full queue times out with `Full` even
    /// when the key would not have fit.
    pub fn put_keyed(&self, mut item: Vec<u8>, mut key: Vec<u8>, timeout: Timeout) -> Result<Put> {
        let deadline = timeout.deadline();
        let mut g = self.hold();
        loop {
            if self.shut() {
                return Ok(Put::ShutDown(item));
            }
            match self.push_held(&mut g, item, &mut key) {
                Err(item) => return Ok(Put::Incomparable(item)),
                Ok(None) => {
                    drop(g);
                    self.wake_counted(AWAITING_ITEM);
                    return Ok(Put::Ok);
                }
                Ok(Some(refused)) => item = refused,
            }
            if timeout.expired() {
                return Ok(Put::Full(item));
            }
            self.count_waiter(AWAITING_ROOM);
            let r = park::park(
                self.key(NOT_FULL),
                || self.at_bound() && !self.shut(),
                move || drop(g),
                |_| {},
                deadline,
            );
            g = self.hold();
            self.uncount_waiter(AWAITING_ROOM, r);
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Removes the next item (oldest, newest or least, by flavor), waiting at
    /// most `timeout` for one.
    pub fn get(&self, timeout: Timeout) -> Result<Get> {
        let deadline = timeout.deadline();
        let mut g = self.hold();
        loop {
            if let Some(item) = self.pop_held(&mut g) {
                drop(g);
                self.wake_room();
                return Ok(Get::Item(item));
            }
            if self.shut() {
                return Ok(Get::ShutDown);
            }
            if timeout.expired() {
                return Ok(Get::Empty);
            }
            self.count_waiter(AWAITING_ITEM);
            let r = park::park(
                self.key(NOT_EMPTY),
                || !self.has_item() && !self.shut(),
                move || drop(g),
                |_| {},
                deadline,
            );
            g = self.hold();
            self.uncount_waiter(AWAITING_ITEM, r);
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
    }

    /// Number of items (a snapshot; "not reliable", as Python says).
    pub fn len(&self) -> usize {
        let _g = self.hold();
        self.len_now()
    }

    /// Whether there are no items (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks one task done.
    pub fn task_done(&self) -> TaskDone {
        let mut g = self.hold();
        self.fold_ring_puts(&mut g);
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
        let mut g = self.hold();
        self.fold_ring_puts(&mut g);
        g.unfinished
    }

    /// Waits until every task is done; false on timeout.
    pub fn join(&self, timeout: Timeout) -> Result<bool> {
        let deadline = timeout.deadline();
        let mut g = self.hold();
        loop {
            self.fold_ring_puts(&mut g);
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
            g = self.hold();
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
        let mut g = self.hold();
        self.word(SHUT).store(1, Ordering::SeqCst);
        if let Some(ring) = self.ring() {
            ring.close();
        }
        let mut dropped = Vec::new();
        if immediate {
            self.fold_ring_puts(&mut g);
            dropped = self.drain_held(&mut g);
            if self.flavor != Flavor::Simple {
                g.unfinished = g.unfinished.saturating_sub(dropped.len() as u64);
            }
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
        self.shut()
    }

    /// Removes every item without any other change (the queue is being freed).
    pub fn take_all(&self) -> Vec<Vec<u8>> {
        let mut g = self.hold();
        self.drain_held(&mut g)
    }
}
