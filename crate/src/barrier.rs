//! Barrier: Python's `threading.Barrier`, split into arrive / wait / cancel so
//! that an async twin can arrive, poll, and withdraw.
//!
//! Algorithm: CPython's four-state machine (`Lib/threading.py`, `Barrier`):
//!
//! | state       | meaning                                                    |
//! |-------------|------------------------------------------------------------|
//! | `Filling`   | (0) arrivals are counted; the `parties`-th releases all    |
//! | `Draining`  | (1) released; new arrivals wait until every arrival left   |
//! | `Resetting` | (-1) reset while arrivals were inside; the same wait       |
//! | `Broken`    | (-2) abort or a waiter's timeout; arrivals fail until reset|
//!
//! CPython's `wait` = `_enter` (wait while draining or resetting, fail if
//! broken), `index = count; count += 1`, then `_release` (the last arrival:
//! state = draining) or `_wait` (until the state leaves filling; a timeout
//! breaks), and finally `count -= 1; _exit()` (the last one out of a draining
//! or resetting barrier sets it filling again). Here `arrive` is `_enter` plus
//! the count (and `_release`), `wait` is `_wait` plus the exit, and `cancel`
//! withdraws an arrival that is still waiting as if it never arrived.
//!
//! One refinement over CPython: each arrival records its own outcome
//! (`Released` or `Broken`) at the moment the barrier releases or breaks, so a
//! late poll reports what happened to *its* round, not a later state change.
//!
//! Invariants (under `inner`): `count` (CPython's `_count`) is
//! `arrivals.len()`; in `Filling` every arrival is `Waiting` and their indices
//! are exactly `0..count` (a cancel renumbers later arrivals); `Waiting`
//! arrivals exist only in `Filling`. Waiting happens in the parking lot under
//! the count-then-enqueue-before-unlock protocol of `queue/mod.rs`, on two keys:
//! `ENTER` (arrivals held back by draining/resetting) and `RELEASE` (arrivals
//! waiting for the last party).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::park::{self, ParkResult, Timeout};
use crate::sync::{lock, Mutex};

const ENTER: usize = 0;
const RELEASE: usize = 1;

/// CPython's `_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// 0: counting arrivals.
    Filling,
    /// 1: released, waiting for every arrival to leave.
    Draining,
    /// -1: reset while arrivals were inside, waiting for them to leave.
    Resetting,
    /// -2: aborted or timed out; every wait fails until `reset`.
    Broken,
}

/// Outcome of `arrive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrive {
    /// Arrived: this ticket names the arrival for `wait`/`cancel`.
    Ticket(u64),
    /// The barrier is broken.
    Broken,
    /// Still draining or resetting when the timeout passed (nothing changed).
    Waiting,
}

/// Outcome of `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarrierWait {
    /// Released: the arrival's index (0 ..= parties - 1, in arrival order).
    Index(u32),
    /// Broken before or while waiting (or the ticket is not an arrival).
    Broken,
    /// Not released yet (only from a poll: `Timeout::Now`).
    Waiting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Waiting,
    Released,
    Broken,
}

#[derive(Debug, Clone, Copy)]
struct Arrival {
    index: u32,
    status: Status,
}

struct Inner {
    state: State,
    /// Arrivals that have not left yet, by ticket (= arrival order).
    arrivals: BTreeMap<u64, Arrival>,
    next_ticket: u64,
    /// Threads parked (or about to park) on `ENTER` and on `RELEASE`.
    entering: u64,
    releasing: u64,
}

/// A barrier for `parties` arrivals.
pub struct Barrier {
    parties: u32,
    inner: Mutex<Inner>,
}

/// What a call must wake after it let go of `inner`.
#[derive(Default)]
struct Wake {
    enter: bool,
    release: bool,
}

impl Barrier {
    /// A filling barrier; `parties` of 0 counts as 1.
    pub fn new(parties: u32) -> Barrier {
        Barrier {
            parties: parties.max(1),
            inner: Mutex::new(Inner {
                state: State::Filling,
                arrivals: BTreeMap::new(),
                next_ticket: 1,
                entering: 0,
                releasing: 0,
            }),
        }
    }

    fn key(&self, which: usize) -> usize {
        // `Barrier` is larger than 2 bytes: two addresses inside it.
        self as *const Barrier as usize + which
    }

    fn wake(&self, w: Wake) {
        if w.enter {
            park::unpark_all(self.key(ENTER));
        }
        if w.release {
            park::unpark_all(self.key(RELEASE));
        }
    }

    /// The number of arrivals needed to release.
    pub fn parties(&self) -> u32 {
        self.parties
    }

    /// Arrivals waiting for release (CPython's `n_waiting`: 0 unless filling).
    pub fn n_waiting(&self) -> usize {
        let g = lock(&self.inner);
        if g.state == State::Filling {
            g.arrivals.len()
        } else {
            0
        }
    }

    /// Whether it is broken.
    pub fn broken(&self) -> bool {
        lock(&self.inner).state == State::Broken
    }

    /// The state (a snapshot, for tests).
    pub fn state(&self) -> State {
        lock(&self.inner).state
    }

    /// Arrives, first waiting at most `timeout` while the barrier drains or
    /// resets (CPython's `_enter`). The `parties`-th arrival releases every
    /// arrival of its round; its own `wait` then returns at once.
    pub fn arrive(&self, timeout: Timeout) -> Result<Arrive> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            match g.state {
                State::Filling => break,
                State::Broken => return Ok(Arrive::Broken),
                State::Draining | State::Resetting => {}
            }
            if timeout.expired() {
                return Ok(Arrive::Waiting);
            }
            g.entering += 1;
            let r = park::park(self.key(ENTER), || true, move || drop(g), |_| {}, deadline);
            g = lock(&self.inner);
            g.entering -= 1;
            if r == ParkResult::Interrupted {
                return Err(Error::Interrupted);
            }
        }
        let index = g.arrivals.len() as u32;
        let ticket = g.next_ticket;
        g.next_ticket += 1;
        g.arrivals.insert(
            ticket,
            Arrival {
                index,
                status: Status::Waiting,
            },
        );
        if index + 1 >= self.parties {
            // CPython's `_release` (no action here: the front end has none).
            g.state = State::Draining;
            for a in g.arrivals.values_mut() {
                a.status = Status::Released;
            }
            let wake = Wake {
                enter: false,
                release: g.releasing > 0,
            };
            drop(g);
            self.wake(wake);
        }
        Ok(Arrive::Ticket(ticket))
    }

    /// Waits at most `timeout` for the arrival `ticket` to be released, then
    /// leaves (CPython's `_wait` then `_exit`). A timeout breaks the barrier;
    /// `Timeout::Now` only polls (`Waiting`, nothing changed). An unknown ticket
    /// (already left) reports `Broken`. On interruption a still-waiting arrival
    /// is withdrawn as by `cancel`.
    pub fn wait(&self, ticket: u64, timeout: Timeout) -> Result<BarrierWait> {
        let deadline = timeout.deadline();
        let mut g = lock(&self.inner);
        loop {
            let Some(a) = g.arrivals.get(&ticket).copied() else {
                return Ok(BarrierWait::Broken);
            };
            match a.status {
                Status::Released => {
                    let w = Self::leave(&mut g, ticket);
                    drop(g);
                    self.wake(w);
                    return Ok(BarrierWait::Index(a.index));
                }
                Status::Broken => {
                    let w = Self::leave(&mut g, ticket);
                    drop(g);
                    self.wake(w);
                    return Ok(BarrierWait::Broken);
                }
                Status::Waiting => {}
            }
            if timeout == Timeout::Now {
                return Ok(BarrierWait::Waiting);
            }
            if timeout.expired() {
                // CPython's `_wait`: a timeout breaks the barrier for everyone.
                let mut w = Self::break_(&mut g);
                let left = Self::leave(&mut g, ticket);
                w.enter |= left.enter;
                drop(g);
                self.wake(w);
                return Ok(BarrierWait::Broken);
            }
            g.releasing += 1;
            let r = park::park(
                self.key(RELEASE),
                || true,
                move || drop(g),
                |_| {},
                deadline,
            );
            g = lock(&self.inner);
            g.releasing -= 1;
            if r == ParkResult::Interrupted {
                let still_waiting = g
                    .arrivals
                    .get(&ticket)
                    .is_some_and(|a| a.status == Status::Waiting);
                if still_waiting {
                    let w = Self::withdraw(&mut g, ticket);
                    drop(g);
                    self.wake(w);
                    return Err(Error::Interrupted);
                }
                // Released or broken before the interruption: report that.
            }
        }
    }

    /// Withdraws the arrival `ticket`: a still-waiting one as if it had never
    /// arrived (later arrivals move up one index; the barrier does not break),
    /// returning -1; a released one leaves and returns its index; a broken or
    /// unknown one returns -1 (a broken one leaves).
    pub fn cancel(&self, ticket: u64) -> i64 {
        let mut g = lock(&self.inner);
        let Some(a) = g.arrivals.get(&ticket).copied() else {
            return -1;
        };
        let w = match a.status {
            Status::Waiting => Self::withdraw(&mut g, ticket),
            Status::Released | Status::Broken => Self::leave(&mut g, ticket),
        };
        drop(g);
        self.wake(w);
        match a.status {
            Status::Released => i64::from(a.index),
            Status::Waiting | Status::Broken => -1,
        }
    }

    /// Breaks the barrier (CPython's `abort`).
    pub fn abort(&self) {
        let mut g = lock(&self.inner);
        let w = Self::break_(&mut g);
        drop(g);
        self.wake(w);
    }

    /// CPython's `reset`: arrivals inside a filling round are broken and the
    /// barrier resets once they have left; a broken barrier with arrivals inside
    /// resets once they have left; an empty barrier is filling at once. A
    /// draining barrier is left to finish its round.
    pub fn reset(&self) {
        let mut g = lock(&self.inner);
        if g.arrivals.is_empty() {
            g.state = State::Filling;
        } else {
            match g.state {
                State::Filling => {
                    g.state = State::Resetting;
                    Self::fail_waiting(&mut g);
                }
                State::Broken => g.state = State::Resetting,
                State::Draining | State::Resetting => {}
            }
        }
        let w = Wake {
            enter: g.entering > 0,
            release: g.releasing > 0,
        };
        drop(g);
        self.wake(w);
    }

    fn fail_waiting(g: &mut Inner) {
        for a in g.arrivals.values_mut() {
            if a.status == Status::Waiting {
                a.status = Status::Broken;
            }
        }
    }

    /// CPython's `_break`.
    fn break_(g: &mut Inner) -> Wake {
        g.state = State::Broken;
        Self::fail_waiting(g);
        Wake {
            enter: g.entering > 0,
            release: g.releasing > 0,
        }
    }

    /// `count -= 1; _exit()`: the last arrival out of a draining or resetting
    /// barrier makes it filling again and lets the held-back arrivals in.
    fn leave(g: &mut Inner, ticket: u64) -> Wake {
        g.arrivals.remove(&ticket);
        let mut w = Wake::default();
        if g.arrivals.is_empty() && matches!(g.state, State::Draining | State::Resetting) {
            g.state = State::Filling;
            w.enter = g.entering > 0;
        }
        w
    }

    /// Removes a waiting arrival and closes the gap in the indices.
    fn withdraw(g: &mut Inner, ticket: u64) -> Wake {
        let Some(gone) = g.arrivals.remove(&ticket) else {
            return Wake::default();
        };
        for a in g.arrivals.values_mut() {
            if a.status == Status::Waiting && a.index > gone.index {
                a.index -= 1;
            }
        }
        // Waiting arrivals exist only while filling, so this never changes the
        // state; kept for the invariant's sake.
        if g.arrivals.is_empty() && matches!(g.state, State::Draining | State::Resetting) {
            g.state = State::Filling;
            return Wake {
                enter: g.entering > 0,
                release: false,
            };
        }
        Wake::default()
    }
}
