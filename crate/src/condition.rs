//! Condition: the waiting half of Python's `threading.Condition`, as tickets.
//!
//! The lock is the front end's (a Lock or an RLock); this object only queues
//! waiters and hands out notifications. CPython's `Condition.wait` gives each
//! waiter its own lock, appends it to a deque, releases the condition's lock and
//! blocks; `notify(n)` pops the n oldest waiters and releases their locks. Here
//! a waiter's "own lock" is a *ticket*:
//!
//! 1. `register` (the caller still holds the front end's lock) appends a new
//!    ticket to `waiting`, so a notify between the front end's release and the
//!    actual wait is not lost;
//! 2. `wait` blocks until the ticket is notified or the deadline passes;
//!    `poll` (async twins) checks without blocking;
//! 3. `notify(n)` moves the n oldest waiting tickets to `notified` and unparks
//!    the threads blocked on them.
//!
//! Ticket states, all changed under `inner` (so the timeout-vs-notify race is
//! decided in one place: whichever takes `inner` first wins, and a ticket that
//! `notify` moved is reported `Notified` even if its waiter's deadline passed):
//!
//! | state     | where                 | left by                                    |
//! |-----------|-----------------------|--------------------------------------------|
//! | waiting   | `waiting` (FIFO map)  | notify → notified; timeout/cancel → gone   |
//! | notified  | `notified`            | wait/poll/cancel consume it → gone         |
//! | gone      | nowhere (used/withdrawn/unknown) | —                               |
//!
//! Parking: each blocked `wait` parks on its own key, the address of a small
//! `std::sync::Arc` it stores next to its ticket, so `notify(1)` wakes exactly
//! the one thread it picked (no thundering herd). The notifier clones that
//! `Arc` under `inner` and unparks after releasing it; the clone keeps the
//! address from being reused by another wait meanwhile.
//!
//! Not done: the front end's lock handling (release/re-acquire, `wait_for`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc as KeyArc;

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout};
use crate::sync::{lock, Mutex};

/// How a `wait` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondWait {
    /// The ticket was notified (and is now used up).
    Notified = 0,
    /// The deadline passed first (the ticket is withdrawn), or the ticket was
    /// not waiting at all.
    TimedOut = 1,
}

/// A parking key: the address of a live allocation nobody else parks on.
type Spot = KeyArc<u8>;

fn spot_key(spot: &Spot) -> usize {
    KeyArc::as_ptr(spot) as usize
}

struct Inner {
    /// The next ticket (tickets start at 1 and only grow).
    next: u64,
    /// Waiting tickets in registration order (FIFO = ascending ticket), each
    /// with the spot its blocked waiter parks on, if one is blocked.
    waiting: BTreeMap<u64, Option<Spot>>,
    /// Notified tickets not yet consumed.
    notified: BTreeSet<u64>,
}

/// The waiters of one condition variable.
pub struct Condition {
    inner: Mutex<Inner>,
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl Condition {
    /// No waiters.
    pub fn new() -> Condition {
        Condition {
            inner: Mutex::new(Inner {
                next: 1,
                waiting: BTreeMap::new(),
                notified: BTreeSet::new(),
            }),
        }
    }

    /// Registers a waiter; returns its ticket (> 0).
    pub fn register(&self) -> u64 {
        let mut g = lock(&self.inner);
        let t = g.next;
        g.next += 1;
        g.waiting.insert(t, None);
        t
    }

    /// Blocks until `ticket` is notified or `timeout` passes. A ticket that is
    /// neither waiting nor notified returns `TimedOut` at once. On interruption
    /// the ticket is withdrawn (a notification that got there first is still
    /// reported as `Notified`, never lost).
    pub fn wait(&self, ticket: u64, timeout: Timeout) -> Result<CondWait> {
        let deadline = timeout.deadline();
        let spot: Spot = KeyArc::new(0);
        let mut g = lock(&self.inner);
        loop {
            if g.notified.remove(&ticket) {
                return Ok(CondWait::Notified);
            }
            let Some(slot) = g.waiting.get_mut(&ticket) else {
                return Ok(CondWait::TimedOut);
            };
            if timeout == Timeout::Now {
                g.waiting.remove(&ticket);
                return Ok(CondWait::TimedOut);
            }
            *slot = Some(spot.clone());
            // No expiry check here: `park` enqueues and then notices a passed
            // deadline, so every timeout goes through the one resolution below.
            let r = park::park(spot_key(&spot), || true, move || drop(g), |_| {}, deadline);
            g = lock(&self.inner);
            match r {
                ParkResult::Unparked(_) | ParkResult::Invalid => {}
                ParkResult::TimedOut | ParkResult::Interrupted => {
                    if g.notified.remove(&ticket) {
                        return Ok(CondWait::Notified);
                    }
                    g.waiting.remove(&ticket);
                    return if r == ParkResult::Interrupted {
                        Err(Error::Interrupted)
                    } else {
                        Ok(CondWait::TimedOut)
                    };
                }
            }
        }
    }

    /// Non-blocking: true (and the ticket is used up) when it was notified.
    pub fn poll(&self, ticket: u64) -> bool {
        lock(&self.inner).notified.remove(&ticket)
    }

    /// Withdraws `ticket`. True when it had been notified: the caller now owns
    /// that notification.
    pub fn cancel(&self, ticket: u64) -> bool {
        let mut g = lock(&self.inner);
        if g.notified.remove(&ticket) {
            return true;
        }
        g.waiting.remove(&ticket);
        false
    }

    /// Notifies up to `n` waiting tickets, oldest first; returns how many.
    pub fn notify(&self, n: u64) -> u64 {
        let mut woken = Vec::new();
        let mut count = 0;
        {
            let mut g = lock(&self.inner);
            while count < n {
                let Some((t, spot)) = g.waiting.pop_first() else {
                    break;
                };
                g.notified.insert(t);
                woken.extend(spot);
                count += 1;
            }
        }
        // Outside `inner`: the woken thread re-takes it at once.
        for spot in woken {
            park::unpark_all(spot_key(&spot));
        }
        count
    }

    /// Notifies every waiting ticket; returns how many.
    pub fn notify_all(&self) -> u64 {
        self.notify(u64::MAX)
    }

    /// Number of tickets still waiting (not yet notified).
    pub fn waiting(&self) -> usize {
        lock(&self.inner).waiting.len()
    }
}
