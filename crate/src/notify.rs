//! Change notification: per-object epochs and one-shot watches (for the async
//! twins in the front end).
//!
//! Every object carries a `Notifier`. After a change that could let a waiter
//! proceed, the object's owner calls `bump`: the epoch goes up by one (wrapping)
//! and every registered watch fires once and is forgotten. A watch is a boxed
//! callback (in the addon, a weak ThreadsafeFunction call back into the isolate
//! that registered it), so this module knows nothing about Node.
//!
//! Lost-change argument: `watch` registers and re-reads the epoch under `list`'s
//! lock, after raising `count`; `bump` raises the epoch and then reads `count`,
//! both SeqCst. If the re-read misses the bump, the bump comes later in the SeqCst
//! order than our `count` increment, so `bump` sees `count > 0`, takes the lock
//! (after we release it) and finds the watch. If the re-read sees the bump, the
//! watch is withdrawn and `watch` reports "already changed".
//!
//! Cheap when nobody watches: `bump` is one `fetch_add` and one load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::sync::lock;

/// A watch's callback; called at most once, from whichever thread bumps.
pub type WatchFn = Box<dyn FnOnce() + Send>;

/// An object's epoch and pending watches.
pub struct Notifier {
    epoch: AtomicU32,
    /// Number of entries in `list` (read without the lock by `bump`).
    count: AtomicU32,
    list: Mutex<Vec<(u32, WatchFn)>>,
}

impl Default for Notifier {
    fn default() -> Self {
        Notifier::new()
    }
}

/// watch id → handle of the watched object, so `unwatch(id)` finds the list.
fn watch_index() -> &'static Mutex<HashMap<u32, u32>> {
    static INDEX: OnceLock<Mutex<HashMap<u32, u32>>> = OnceLock::new();
    INDEX.get_or_init(|| Mutex::new(HashMap::new()))
}

fn next_watch_id() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    loop {
        // Relaxed: uniqueness only needs the RMW's atomicity.
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        if id != 0 {
            return id;
        }
    }
}

impl Notifier {
    /// Epoch 0, no watches.
    pub fn new() -> Notifier {
        Notifier {
            epoch: AtomicU32::new(0),
            count: AtomicU32::new(0),
            list: Mutex::new(Vec::new()),
        }
    }

    /// The current epoch.
    pub fn epoch(&self) -> u32 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Records a change and fires every pending watch.
    pub fn bump(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let fired: Vec<(u32, WatchFn)> = {
            let mut list = lock(&self.list);
            self.count.store(0, Ordering::SeqCst);
            std::mem::take(&mut *list)
        };
        if fired.is_empty() {
            return;
        }
        {
            let mut index = lock(watch_index());
            for (id, _) in &fired {
                index.remove(id);
            }
        }
        // Outside every lock: a callback may be slow, or (in tests) re-enter.
        for (_, cb) in fired {
            cb();
        }
    }

    /// Registers `cb` for the next change after `seen`. Returns 0 (and drops `cb`
    /// uncalled) when the epoch already differs from `seen`, else the watch id.
    /// `handle` is the watched object's handle, for `unwatch`.
    pub fn watch(&self, handle: u32, seen: u32, cb: WatchFn) -> u32 {
        if self.epoch() != seen {
            return 0;
        }
        let id = next_watch_id();
        // Index first, so an `unwatch` racing with a fire finds it or nothing.
        lock(watch_index()).insert(id, handle);
        let registered = {
            let mut list = lock(&self.list);
            self.count.fetch_add(1, Ordering::SeqCst);
            list.push((id, cb));
            if self.epoch() != seen {
                list.pop();
                self.count.fetch_sub(1, Ordering::SeqCst);
                false
            } else {
                true
            }
        };
        if registered {
            id
        } else {
            lock(watch_index()).remove(&id);
            0
        }
    }

    /// Cancels watch `id` if it is still pending here; returns its callback.
    pub fn unwatch(&self, id: u32) -> Option<WatchFn> {
        let mut list = lock(&self.list);
        let pos = list.iter().position(|(i, _)| *i == id)?;
        self.count.fetch_sub(1, Ordering::SeqCst);
        Some(list.swap_remove(pos).1)
    }

    /// Drops every pending watch uncalled (the object is being freed).
    pub fn clear(&self) -> Vec<WatchFn> {
        let taken = {
            let mut list = lock(&self.list);
            self.count.store(0, Ordering::SeqCst);
            std::mem::take(&mut *list)
        };
        let mut index = lock(watch_index());
        taken
            .into_iter()
            .map(|(id, cb)| {
                index.remove(&id);
                cb
            })
            .collect()
    }
}

/// The handle a pending watch id belongs to, and forgets the id.
pub fn take_watch(id: u32) -> Option<u32> {
    lock(watch_index()).remove(&id)
}
