//! The registry: handle → shared object, process-wide.
//!
//! The addon is loaded once per process and shared by every worker isolate, so a
//! `static` here is what lets any isolate reach the same Lock or Queue by number.
//! A handle is a u32 from a global counter starting at 1, never reused (wrapping
//! after 4 billion objects is not handled). Each entry is an `Arc<Entry>` holding
//! the object, its reference count and its `Notifier`; calls clone the `Arc`, so
//! an object freed while a call blocks on it lives until that call returns.
//!
//! Sharding: 16 `RwLock<HashMap>` shards chosen by `id % 16` (ids are sequential,
//! so shards fill evenly), with a multiplicative hasher; a lookup is one shared
//! read lock and one `Arc` clone.
//!
//! Reference counts: `retain` increments only a count that is not 0 (a freed
//! object cannot be revived); the `release` that takes the count to 0 removes the
//! entry and then releases the handles listed in the headers of the items the
//! object still held (queue items, a thread's outcome), iteratively, so a long
//! chain of queues inside queues cannot overflow the stack.
//!
//! Item header (see `src/backend/types.ts`): u32 LE count n, then n u32 LE handle
//! ids. A header that does not fit in the item is treated as listing no handles.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use crate::barrier::Barrier;
use crate::condition::Condition;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::lock::Lock;
use crate::notify::Notifier;
use crate::queue::Queue;
use crate::rlock::RLock;
use crate::semaphore::Semaphore;
use crate::thread::{ThreadRecord, ThreadState};
use crate::value::Value;

/// One shared object.
pub enum Object {
    /// A mutex.
    Lock(Lock),
    /// A re-entrant lock.
    RLock(RLock),
    /// A condition variable's waiters.
    Condition(Condition),
    /// A (bounded) semaphore.
    Semaphore(Semaphore),
    /// An event flag.
    Event(Event),
    /// A barrier.
    Barrier(Barrier),
    /// A shared number.
    Value(Value),
    /// A queue of any flavor.
    Queue(Queue),
    /// A thread record.
    Thread(ThreadRecord),
}

impl Object {
    /// The kind's JS name.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Lock(_) => "lock",
            Object::RLock(_) => "rlock",
            Object::Condition(_) => "condition",
            Object::Semaphore(_) => "semaphore",
            Object::Event(_) => "event",
            Object::Barrier(_) => "barrier",
            Object::Value(_) => "value",
            Object::Queue(_) => "queue",
            Object::Thread(_) => "thread",
        }
    }
}

/// A registry entry.
pub struct Entry {
    /// The object's handle.
    pub id: u32,
    refs: AtomicU32,
    /// The object.
    pub object: Object,
    /// Its epoch and watches.
    pub notifier: Notifier,
}

#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Shard = RwLock<HashMap<u32, Arc<Entry>, BuildHasherDefault<IdHasher>>>;

const SHARDS: usize = 16;

struct Registry {
    shards: Vec<Shard>,
    next: AtomicU32,
    live: AtomicUsize,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        shards: (0..SHARDS)
            .map(|_| RwLock::new(HashMap::default()))
            .collect(),
        next: AtomicU32::new(1),
        live: AtomicUsize::new(0),
    })
}

fn shard(id: u32) -> &'static Shard {
    &registry().shards[id as usize % SHARDS]
}

/// Registers `object` with one reference; returns its handle.
pub fn insert(object: Object) -> u32 {
    let r = registry();
    // Relaxed: only uniqueness matters; the shard lock publishes the entry.
    let id = r.next.fetch_add(1, Ordering::Relaxed);
    let entry = Arc::new(Entry {
        id,
        refs: AtomicU32::new(1),
        object,
        notifier: Notifier::new(),
    });
    shard(id)
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, entry);
    r.live.fetch_add(1, Ordering::Relaxed);
    id
}

/// The live entry for `id`, of any kind.
pub fn get(id: u32) -> Option<Arc<Entry>> {
    shard(id)
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned()
}

/// The live entry for `id`, or `invalid handle` naming `kind` when it is missing
/// or of another kind.
pub fn get_kind(id: u32, kind: &'static str) -> Result<Arc<Entry>> {
    match get(id) {
        Some(e) if e.object.kind() == kind => Ok(e),
        _ => Err(Error::InvalidHandle {
            handle: id,
            expected: Some(kind),
        }),
    }
}

/// The kind of a live handle.
pub fn kind_of(id: u32) -> Option<&'static str> {
    get(id).map(|e| e.object.kind())
}

/// Number of live objects.
pub fn live_objects() -> usize {
    registry().live.load(Ordering::Relaxed)
}

/// Adds a reference.
pub fn retain(id: u32) -> Result<()> {
    let e = get(id).ok_or(Error::InvalidHandle {
        handle: id,
        expected: None,
    })?;
    let mut r = e.refs.load(Ordering::Relaxed);
    loop {
        if r == 0 {
            return Err(Error::InvalidHandle {
                handle: id,
                expected: None,
            });
        }
        // Relaxed: a reference count orders nothing by itself (as in `Arc`);
        // the removal below goes through the shard lock.
        match e.refs.compare_exchange_weak(
            r,
            r.saturating_add(1),
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return Ok(()),
            Err(x) => r = x,
        }
    }
}

/// Drops a reference; frees the object (and what it holds) at 0.
pub fn release(id: u32) -> Result<()> {
    if !release_one(id)? {
        return Ok(());
    }
    let mut pending = vec![id];
    while let Some(h) = pending.pop() {
        if h != id && !matches!(release_one(h), Ok(true)) {
            continue;
        }
        let Some(entry) = remove(h) else { continue };
        // Dropped outside every lock: a watch may be a ThreadsafeFunction.
        drop(entry.notifier.clear());
        match &entry.object {
            Object::Queue(q) => {
                for item in q.take_all() {
                    pending.extend(header_handles(&item));
                }
            }
            Object::Thread(t) => {
                if let Some(o) = t.take_outcome() {
                    pending.extend(header_handles(&o.data));
                }
            }
            Object::Lock(_)
            | Object::RLock(_)
            | Object::Condition(_)
            | Object::Semaphore(_)
            | Object::Event(_)
            | Object::Barrier(_)
            | Object::Value(_) => {}
        }
    }
    Ok(())
}

/// Decrements; true when this call took the count to 0.
fn release_one(id: u32) -> Result<bool> {
    let e = get(id).ok_or(Error::InvalidHandle {
        handle: id,
        expected: None,
    })?;
    let mut r = e.refs.load(Ordering::Relaxed);
    loop {
        if r == 0 {
            return Err(Error::InvalidHandle {
                handle: id,
                expected: None,
            });
        }
        match e
            .refs
            .compare_exchange_weak(r, r - 1, Ordering::AcqRel, Ordering::Relaxed)
        {
            Ok(_) => return Ok(r == 1),
            Err(x) => r = x,
        }
    }
}

fn remove(id: u32) -> Option<Arc<Entry>> {
    let e = shard(id)
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
    if e.is_some() {
        registry().live.fetch_sub(1, Ordering::Relaxed);
    }
    e
}

/// Releases every handle listed in the header of `item` (an item dropped
/// without being handed to JS). Handles that are no longer live are skipped.
pub fn release_item(item: &[u8]) {
    for h in header_handles(item) {
        let _ = release(h);
    }
}

/// The handle ids in an item's header; empty when the header is malformed.
pub fn header_handles(item: &[u8]) -> Vec<u32> {
    let read = |at: usize| -> Option<u32> {
        let b = item.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(n) = read(0) else {
        return Vec::new();
    };
    let fits = (n as usize)
        .checked_mul(4)
        .and_then(|b| b.checked_add(4))
        .is_some_and(|end| end <= item.len());
    if !fits {
        return Vec::new();
    }
    (0..n as usize).filter_map(|i| read(4 + 4 * i)).collect()
}

/// Every thread record that is Running, in order of handle.
pub fn threads_running() -> Vec<u32> {
    let mut out = Vec::new();
    for s in &registry().shards {
        let map = s.read().unwrap_or_else(|e| e.into_inner());
        for (id, e) in map.iter() {
            if let Object::Thread(t) = &e.object {
                if t.state() == ThreadState::Running {
                    out.push(*id);
                }
            }
        }
    }
    out.sort_unstable();
    out
}
