//! Threads of the OS: the caller's OS thread id, an interruptible sleep, and
//! thread records (what every isolate can see of a `Thread`).
//!
//! A record's life cycle is New → Running → Done, one way. `finish` stores the
//! outcome bytes (which own the handles listed in their header) and wakes every
//! joiner; the outcome stays in the record, readable by every caller, until the
//! record is freed (the registry then releases those handles).
//!
//! Joiners wait in the parking lot keyed by the record's address, with the same
//! count-then-enqueue-under-the-mutex protocol as `queue.rs`.

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout};
use crate::sync::{lock, AtomicBool, Mutex, Ordering};

/// The OS thread id of the caller (gettid on Linux), or -1 when unknown.
pub fn os_thread_id() -> i64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: gettid has no preconditions, cannot fail and touches no memory.
        i64::from(unsafe { libc::gettid() })
    }
    #[cfg(target_os = "macos")]
    {
        let mut tid: u64 = 0;
        // SAFETY: a null pthread_t means "the calling thread"; `tid` is a valid,
        // writable u64 for the duration of the call.
        let rc = unsafe { libc::pthread_threadid_np(0, &mut tid) };
        if rc == 0 {
            i64::try_from(tid).unwrap_or(-1)
        } else {
            -1
        }
    }
    #[cfg(windows)]
    {
        extern "system" {
            fn GetCurrentThreadId() -> u32;
        }
        // SAFETY: GetCurrentThreadId has no preconditions and cannot fail.
        i64::from(unsafe { GetCurrentThreadId() })
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        windows
    )))]
    {
        -1
    }
}

/// Blocks the calling OS thread for `ms` milliseconds; fails at once, or as soon
/// as it happens, when the process is interrupted.
pub fn sleep(ms: f64) -> Result<()> {
    let timeout = Timeout::from_ms(ms);
    if timeout == Timeout::Now {
        return Ok(());
    }
    // A key nobody else can use: the address of this frame's local.
    let marker = 0u8;
    let key = &marker as *const u8 as usize;
    loop {
        if timeout.expired() {
            return Ok(());
        }
        match park::park(key, || true, || {}, |_| {}, timeout.deadline()) {
            ParkResult::Interrupted => return Err(Error::Interrupted),
            ParkResult::TimedOut => return Ok(()),
            ParkResult::Unparked(_) | ParkResult::Invalid => {}
        }
    }
}

/// Where a thread is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Created, not started.
    New = 0,
    /// Started.
    Running = 1,
    /// Finished (its outcome is set).
    Done = 2,
}

/// How a thread ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Encoded return value, or encoded error when `failed`.
    pub data: Vec<u8>,
    /// Whether the target threw.
    pub failed: bool,
}

struct Inner {
    name: String,
    daemon: bool,
    state: ThreadState,
    native_id: i64,
    outcome: Option<Outcome>,
    joiners: u64,
}

/// What every isolate can see of one thread.
pub struct ThreadRecord {
    inner: Mutex<Inner>,
    /// `state == Done`, readable without the mutex: a joiner polling a short
    /// thread (`join` with `Timeout::Now`, in a loop) must not contend for the
    /// mutex that the thread's `finish` needs. Set under the mutex, after the
    /// outcome, so whoever sees it and then locks finds the outcome.
    done: AtomicBool,
}

impl ThreadRecord {
    /// A record in state New.
    pub fn new(name: String, daemon: bool) -> ThreadRecord {
        ThreadRecord {
            inner: Mutex::new(Inner {
                name,
                daemon,
                state: ThreadState::New,
                native_id: -1,
                outcome: None,
                joiners: 0,
            }),
            done: AtomicBool::new(false),
        }
    }

    fn key(&self) -> usize {
        self as *const ThreadRecord as usize
    }

    /// The name.
    pub fn name(&self) -> String {
        lock(&self.inner).name.clone()
    }

    /// Renames (seen by every isolate).
    pub fn set_name(&self, name: String) {
        lock(&self.inner).name = name;
    }

    /// The daemon flag.
    pub fn daemon(&self) -> bool {
        lock(&self.inner).daemon
    }

    /// Sets the daemon flag (the front end allows it only before start).
    pub fn set_daemon(&self, daemon: bool) {
        lock(&self.inner).daemon = daemon;
    }

    /// The life-cycle state.
    pub fn state(&self) -> ThreadState {
        lock(&self.inner).state
    }

    /// New → Running, recording the OS thread that runs it. No-op otherwise.
    pub fn mark_running(&self, native_id: i64) {
        let mut g = lock(&self.inner);
        if g.state == ThreadState::New {
            g.state = ThreadState::Running;
            g.native_id = native_id;
        }
    }

    /// The OS thread id recorded by `mark_running` (-1 before).
    pub fn native_id(&self) -> i64 {
        lock(&self.inner).native_id
    }

    /// → Done with this outcome; wakes every joiner. When it was already Done
    /// the new outcome is refused and handed back (its handles are the caller's
    /// to release).
    pub fn finish(&self, data: Vec<u8>, failed: bool) -> Option<Vec<u8>> {
        let mut g = lock(&self.inner);
        if g.state == ThreadState::Done {
            return Some(data);
        }
        g.state = ThreadState::Done;
        g.outcome = Some(Outcome { data, failed });
        self.done.store(true, Ordering::Release);
        let wake = g.joiners > 0;
        drop(g);
        if wake {
            park::unpark_all(self.key());
        }
        None
    }

    /// Waits until Done; false on timeout.
    pub fn join(&self, timeout: Timeout) -> Result<bool> {
        if timeout == Timeout::Now {
            return Ok(self.done.load(Ordering::Acquire));
        }
        let done = park::wait_until(
            self.key(),
            &self.inner,
            timeout,
            |g| &mut g.joiners,
            |g| (g.state == ThreadState::Done).then_some(()),
        )?;
        Ok(done.is_some())
    }

    /// A copy of the outcome once Done.
    pub fn outcome(&self) -> Option<Outcome> {
        lock(&self.inner).outcome.clone()
    }

    /// Calls `f` with the outcome (None before Done), under the record's lock.
    pub fn with_outcome<R>(&self, f: impl FnOnce(Option<&Outcome>) -> R) -> R {
        f(lock(&self.inner).outcome.as_ref())
    }

    /// Removes the outcome (the record is being freed).
    pub fn take_outcome(&self) -> Option<Outcome> {
        lock(&self.inner).outcome.take()
    }
}
