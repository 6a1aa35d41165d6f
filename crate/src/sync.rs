//! The one place that imports synchronization primitives.
//!
//! Normal builds get `std`; `RUSTFLAGS="--cfg loom"` builds get `loom`'s model-checked
//! doubles, so the loom models in `tests/loom_*.rs` exercise the very code that ships
//! (the shim idea is crossbeam-epoch's `primitive` module). Only the modules a loom
//! model reaches (`park`, `lock`, `rlock`, `condition`, `semaphore`, `event`,
//! `barrier`, `queue`, `value`) have to use these; under loom the rest of the crate is
//! not compiled at all (see `lib.rs`).
//!
//! Not provided: timed waits under loom. `loom::sync::Condvar::wait_timeout` waits
//! without a timeout, so loom models never rely on a deadline firing later; a
//! deadline that has already passed works (`park` enqueues, then takes its
//! timed-out path at once), which is how `loom_condition.rs` races a timeout.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicBool, AtomicU32, AtomicU64},
    Arc, Condvar, Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicBool, AtomicU32},
    Arc, Condvar, Mutex, MutexGuard,
};

pub(crate) use std::sync::atomic::Ordering;

/// Locks `m`, ignoring poisoning: no code in this crate panics while holding a
/// lock on purpose, and a poisoned lock must not turn into a panic across FFI.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pause inside a spin loop. Under loom it must yield, or the model never lets
/// the thread that would end the spin run.
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    std::hint::spin_loop();
}
