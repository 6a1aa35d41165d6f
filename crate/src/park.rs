//! The parking lot: where every blocking call in the crate waits.
//!
//! Algorithm (WebKit's ParkingLot as ported by `parking_lot_core`): a fixed table
//! of buckets, each a mutex-protected FIFO of parked threads, each tagged with the
//! *key* (an address) it waits on. `park(key, ..)` hashes the key to a bucket,
//! runs `validate` under the bucket lock (so a waker that changes state and then
//! takes the same bucket lock cannot slip in between the check and the enqueue),
//! enqueues, runs `before_sleep` (e.g. unlock the queue's mutex), then sleeps until
//! unparked, the deadline passes, or the process is interrupted. `unpark_one`
//! dequeues the first waiter on a key and lets a callback, still under the bucket
//! lock, decide the token handed to it (the lock uses this for handoff).
//!
//! Process exit: `interrupt_all` sets a flag and then sweeps every bucket, waking
//! every parked thread with `Interrupted`. `park` checks the flag under the bucket
//! lock before enqueueing, so a thread that parks after the sweep of its bucket
//! sees the flag (the bucket mutex orders the two): no thread sleeps after
//! `interrupt_all` returns. This is what lets Node join worker threads at exit.
//!
//! Invariants:
//! - A waiter is in exactly one bucket queue until it is dequeued by an unparker,
//!   by the interrupt sweep, or by itself on timeout; its wake state is written
//!   only while that bucket lock is held, so a timed-out waiter that no longer
//!   finds itself queued knows its wake state is already final.
//! - Lock order: caller's own mutex (if any) → bucket → parker. Callbacks run under
//!   the bucket lock and must not park or unpark.
//!
//! Not done: bucket table resizing (64 fixed buckets: collisions only cost a
//! longer scan), per-thread parker reuse (a slow path allocates one `Arc`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::sync::{lock, Arc, AtomicBool, Condvar, Mutex, Ordering};

/// What `unpark_one`'s callback hands to the woken thread.
pub type Token = usize;
/// The woken thread must compete again for whatever it waited on.
pub const TOKEN_NORMAL: Token = 0;
/// The waker passed ownership (of the lock) straight to the woken thread.
pub const TOKEN_HANDOFF: Token = 1;

// One bucket under loom: collisions are legal, and fewer model objects keep the
// state space small.
const BUCKETS: usize = if cfg!(loom) { 1 } else { 64 };

/// How long to wait: forever, not at all, or until a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// Block until the condition holds (or interruption).
    Forever,
    /// Do not block.
    Now,
    /// Block until the condition holds or this moment passes.
    Until(Instant),
}

impl Timeout {
    /// From the JS convention: negative is forever, 0 (or NaN) is now, else ms.
    /// Computed once per call, so retries wait only the time that is left.
    pub fn from_ms(ms: f64) -> Timeout {
        if ms < 0.0 {
            Timeout::Forever
        } else if ms > 0.0 {
            let secs = ms / 1000.0;
            match Duration::try_from_secs_f64(secs)
                .ok()
                .and_then(|d| Instant::now().checked_add(d))
            {
                Some(t) => Timeout::Until(t),
                // Too far away to represent: nobody will tell the difference.
                None => Timeout::Forever,
            }
        } else {
            Timeout::Now
        }
    }

    /// The deadline `park` takes (`None` = forever). Meaningless for `Now`.
    pub fn deadline(self) -> Option<Instant> {
        match self {
            Timeout::Until(t) => Some(t),
            Timeout::Forever => None,
            Timeout::Now => Some(Instant::now()),
        }
    }

    /// True when a caller that still cannot proceed must give up now.
    pub fn expired(self) -> bool {
        match self {
            Timeout::Forever => false,
            Timeout::Now => true,
            Timeout::Until(t) => Instant::now() >= t,
        }
    }
}

/// How a `park` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkResult {
    /// Woken by `unpark_one`/`unpark_all` with this token.
    Unparked(Token),
    /// `validate` returned false; never slept.
    Invalid,
    /// The deadline passed first.
    TimedOut,
    /// `interrupt_all` was called (before or during the wait).
    Interrupted,
}

/// What `unpark_one` found, given to its callback under the bucket lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnparkResult {
    /// 1 when a waiter was dequeued, else 0.
    pub unparked_threads: usize,
    /// Whether other waiters on the same key remain queued.
    pub have_more_threads: bool,
    /// The bucket's fairness timer fired: the waker should hand off (eventual
    /// fairness, as in parking_lot, so a releasing thread that re-acquires in a
    /// loop cannot starve the parked ones forever).
    pub be_fair: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    Waiting,
    Unparked(Token),
    Interrupted,
}

/// One parked thread's wake slot. Written only under its bucket's lock.
struct Parker {
    state: Mutex<Wake>,
    cv: Condvar,
}

struct Waiter {
    key: usize,
    parker: Arc<Parker>,
}

struct BucketInner {
    /// FIFO per bucket, so waiters on one key are woken in arrival order.
    waiters: VecDeque<Waiter>,
    fair: FairTimer,
}

/// Decides when an unpark should be fair (hand off). Time-based in real builds,
/// an alternating switch under loom so the model explores both kinds of unlock
/// deterministically.
struct FairTimer {
    #[cfg(not(loom))]
    next: Option<Instant>,
    #[cfg(loom)]
    flip: bool,
}

impl FairTimer {
    fn new() -> FairTimer {
        FairTimer {
            #[cfg(not(loom))]
            next: None,
            #[cfg(loom)]
            flip: false,
        }
    }

    #[cfg(not(loom))]
    fn should_be_fair(&mut self) -> bool {
        // Half a millisecond, like parking_lot: rare enough that barging keeps its
        // throughput, often enough that no waiter waits much longer than that.
        const EVERY: Duration = Duration::from_micros(500);
        let now = Instant::now();
        match self.next {
            Some(t) if now < t => false,
            Some(_) => {
                self.next = Some(now + EVERY);
                true
            }
            None => {
                self.next = Some(now + EVERY);
                false
            }
        }
    }

    #[cfg(loom)]
    fn should_be_fair(&mut self) -> bool {
        self.flip = !self.flip;
        self.flip
    }
}

struct Table {
    /// Set once, never cleared: after `interrupt_all` every wait fails.
    interrupted: AtomicBool,
    buckets: Vec<Mutex<BucketInner>>,
}

impl Table {
    fn new() -> Table {
        Table {
            interrupted: AtomicBool::new(false),
            buckets: (0..BUCKETS)
                .map(|_| {
                    Mutex::new(BucketInner {
                        waiters: VecDeque::new(),
                        fair: FairTimer::new(),
                    })
                })
                .collect(),
        }
    }

    fn bucket(&self, key: usize) -> &Mutex<BucketInner> {
        // Fibonacci hashing: keys are addresses, whose low bits are alignment.
        let h = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - 6);
        &self.buckets[h as usize % self.buckets.len()]
    }
}

#[cfg(not(loom))]
fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(Table::new)
}

#[cfg(loom)]
fn table() -> &'static Table {
    // Rebuilt for every loom execution, so no state leaks between schedules.
    loom::lazy_static! {
        static ref TABLE: Table = Table::new();
    }
    &TABLE
}

fn set_wake(parker: &Parker, wake: Wake) {
    *lock(&parker.state) = wake;
    parker.cv.notify_one();
}

/// The wait that Event, Semaphore and thread records share: with `inner`
/// locked, ask `ready` (which may take what it waits for); until it answers,
/// park on `key`, counted in the field `waiters` points at (so a waker knows
/// someone sleeps), and ask again after each wakeup. `Ok(None)` once `timeout`
/// has passed; the `interrupted` error at process exit.
pub(crate) fn wait_until<S, R>(
    key: usize,
    inner: &Mutex<S>,
    timeout: Timeout,
    waiters: fn(&mut S) -> &mut u64,
    mut ready: impl FnMut(&mut S) -> Option<R>,
) -> crate::error::Result<Option<R>> {
    let deadline = timeout.deadline();
    let mut g = lock(inner);
    loop {
        if let Some(r) = ready(&mut g) {
            return Ok(Some(r));
        }
        if timeout.expired() {
            return Ok(None);
        }
        *waiters(&mut g) += 1;
        let r = park(key, || true, move || drop(g), |_| {}, deadline);
        g = lock(inner);
        *waiters(&mut g) -= 1;
        if r == ParkResult::Interrupted {
            return Err(crate::error::Error::Interrupted);
        }
    }
}

/// Parks the calling thread on `key`.
///
/// - `validate` runs under the bucket lock; returning false aborts the park.
/// - `before_sleep` runs after the thread is queued and the bucket lock is
///   released (it is dropped unrun when the park is aborted or interrupted, which
///   drops whatever it captured, e.g. a mutex guard).
/// - `timed_out(was_last)` runs under the bucket lock when the deadline passed and
///   the thread removed itself; `was_last` says no waiter on `key` is left.
pub fn park(
    key: usize,
    validate: impl FnOnce() -> bool,
    before_sleep: impl FnOnce(),
    timed_out: impl FnOnce(bool),
    deadline: Option<Instant>,
) -> ParkResult {
    let t = table();
    let bucket = t.bucket(key);
    let parker = Arc::new(Parker {
        state: Mutex::new(Wake::Waiting),
        cv: Condvar::new(),
    });
    {
        let mut b = lock(bucket);
        // Under the bucket lock, pairing with the sweep in `interrupt_all`.
        if t.interrupted.load(Ordering::SeqCst) {
            return ParkResult::Interrupted;
        }
        if !validate() {
            return ParkResult::Invalid;
        }
        b.waiters.push_back(Waiter {
            key,
            parker: parker.clone(),
        });
    }
    before_sleep();

    {
        let mut st = lock(&parker.state);
        loop {
            match *st {
                Wake::Unparked(token) => return ParkResult::Unparked(token),
                Wake::Interrupted => return ParkResult::Interrupted,
                Wake::Waiting => {}
            }
            match deadline {
                None => st = parker.cv.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break;
                    }
                    st = parker
                        .cv
                        .wait_timeout(st, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }

    // Timed out: leave the queue, unless a waker dequeued us first, in which case
    // its wake state is already written (it writes under the bucket lock).
    let mut b = lock(bucket);
    if let Some(pos) = b
        .waiters
        .iter()
        .position(|w| Arc::ptr_eq(&w.parker, &parker))
    {
        b.waiters.remove(pos);
        let was_last = !b.waiters.iter().any(|w| w.key == key);
        timed_out(was_last);
        return ParkResult::TimedOut;
    }
    drop(b);
    let st = *lock(&parker.state);
    match st {
        Wake::Unparked(token) => ParkResult::Unparked(token),
        Wake::Interrupted => ParkResult::Interrupted,
        // Unreachable by the invariant above; waiting again would be the only
        // other answer, and timing out is the safe one.
        Wake::Waiting => ParkResult::TimedOut,
    }
}

/// Wakes the first thread parked on `key`, if any, with the token `callback`
/// returns. `callback` runs under the bucket lock even when nobody was parked.
pub fn unpark_one(key: usize, callback: impl FnOnce(UnparkResult) -> Token) -> UnparkResult {
    let mut b = lock(table().bucket(key));
    let waiter = b
        .waiters
        .iter()
        .position(|w| w.key == key)
        .and_then(|pos| b.waiters.remove(pos));
    let have_more_threads = b.waiters.iter().any(|w| w.key == key);
    let be_fair = waiter.is_some() && b.fair.should_be_fair();
    let result = UnparkResult {
        unparked_threads: usize::from(waiter.is_some()),
        have_more_threads,
        be_fair,
    };
    let token = callback(result);
    if let Some(w) = waiter {
        set_wake(&w.parker, Wake::Unparked(token));
    }
    result
}

/// Wakes every thread parked on `key` with `TOKEN_NORMAL`; returns how many.
pub fn unpark_all(key: usize) -> usize {
    let mut b = lock(table().bucket(key));
    let mut n = 0;
    b.waiters.retain(|w| {
        if w.key == key {
            set_wake(&w.parker, Wake::Unparked(TOKEN_NORMAL));
            n += 1;
            false
        } else {
            true
        }
    });
    n
}

/// Makes every current and future `park` return `Interrupted`. Idempotent.
pub fn interrupt_all() {
    let t = table();
    t.interrupted.store(true, Ordering::SeqCst);
    for bucket in &t.buckets {
        let mut b = lock(bucket);
        for w in b.waiters.drain(..) {
            set_wake(&w.parker, Wake::Interrupted);
        }
    }
}

/// Whether `interrupt_all` was called.
pub fn is_interrupted() -> bool {
    table().interrupted.load(Ordering::SeqCst)
}
