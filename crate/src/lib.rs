//! native-threads: the Rust core behind `src/backend/native.ts`.
//!
//! This file is the napi surface only: it converts arguments, calls into one
//! module, bumps the object's epoch after a change `src/backend/types.ts` lists,
//! and maps errors (`invalid handle` → `TypeError`, `interrupted` → `Error`).
//! Names are snake_case here and camelCased by napi-rs in `binding.d.cts`.
//!
//! Every object lives in the process-wide registry (`registry.rs`), because the
//! addon is loaded once per process and shared by every worker isolate. Every
//! blocking call parks in `park.rs`, which `interrupt_all` empties at exit.
//!
//! Under `--cfg loom` only the modules the loom models check are compiled.
#![deny(clippy::all)]

pub mod barrier;
pub mod condition;
pub mod error;
pub mod event;
pub mod lock;
pub mod park;
pub mod queue;
pub mod rlock;
pub mod semaphore;
mod sync;
pub mod value;
pub mod words;

#[cfg(not(loom))]
pub mod kernels;
#[cfg(not(loom))]
pub mod notify;
#[cfg(not(any(loom, test)))]
mod raw;
#[cfg(not(loom))]
pub mod registry;
#[cfg(not(loom))]
pub mod thread;

// napi-derive registers nothing under cfg(test), so the surface would be dead code there.
#[cfg(not(any(loom, test)))]
mod surface {
    use std::cell::{Cell, RefCell};

    use napi::bindgen_prelude::{BigInt, Buffer, Either, Function};
    use napi::threadsafe_function::ThreadsafeFunctionCallMode;
    use napi::Unknown;
    use napi::{Env, Result, Status};
    use napi_derive::napi;

    use crate::barrier::{Arrive, Barrier, BarrierWait};
    use crate::condition::Condition;
    use crate::error::Error;
    use crate::event::Event;
    use crate::kernels;
    use crate::lock::Lock;
    use crate::notify::{take_watch, WatchFn};
    use crate::park::{self, Timeout};
    use crate::queue::{Flavor, Queue, TaskDone};
    use crate::registry::{self, Entry, Object};
    use crate::rlock::{RLock, RRelease};
    use crate::semaphore::Semaphore;
    use crate::thread::{self, ThreadRecord};
    use crate::value::{Num, Value, ValueType};
    use crate::words;

    /// `invalid handle` becomes a TypeError (thrown here, reported to napi-rs as
    /// already pending); `interrupted` a plain Error.
    fn js_err(env: &Env, e: Error) -> napi::Error {
        match e {
            Error::InvalidHandle { .. } => match env.throw_type_error(&e.to_string(), None) {
                Ok(()) => napi::Error::from_status(Status::PendingException),
                Err(_) => napi::Error::new(Status::InvalidArg, e.to_string()),
            },
            Error::Interrupted => napi::Error::new(Status::GenericFailure, e.to_string()),
        }
    }

    fn entry(env: &Env, h: u32, kind: &'static str) -> Result<std::sync::Arc<Entry>> {
        registry::get_kind(h, kind).map_err(|e| js_err(env, e))
    }

    fn any_entry(env: &Env, h: u32) -> Result<std::sync::Arc<Entry>> {
        registry::get(h).ok_or_else(|| {
            js_err(
                env,
                Error::InvalidHandle {
                    handle: h,
                    expected: None,
                },
            )
        })
    }

    macro_rules! object {
        ($env:expr, $h:expr, $variant:ident, $kind:literal) => {{
            let e = entry($env, $h, $kind)?;
            match &e.object {
                Object::$variant(_) => {}
                _ => unreachable!("registry::get_kind checked the kind"),
            }
            e
        }};
    }

    macro_rules! inner {
        ($e:expr, $variant:ident) => {
            match &$e.object {
                Object::$variant(x) => x,
                // get_kind checked the kind; this arm cannot run.
                _ => return Err(napi::Error::from_reason("invalid handle")),
            }
        };
    }

    /// A TypeError with `msg` (for arguments the front end should have caught).
    fn type_error(env: &Env, msg: String) -> napi::Error {
        match env.throw_type_error(&msg, None) {
            Ok(()) => napi::Error::from_status(Status::PendingException),
            Err(_) => napi::Error::new(Status::InvalidArg, msg),
        }
    }

    /// A count or ticket from JS: non-negative integers up to 2^53 arrive
    /// exactly; anything else (NaN, negative) is 0, and +Infinity saturates.
    fn to_u64(n: f64) -> u64 {
        if n >= 0.0 {
            n as u64
        } else {
            0
        }
    }

    fn num(v: Either<f64, BigInt>) -> Num {
        match v {
            Either::A(f) => Num::F(f),
            // Wrapping to i64, like BigInt.asIntN(64, v).
            Either::B(b) => Num::I(b.get_i64().0),
        }
    }

    fn to_js(n: Num) -> Either<f64, BigInt> {
        match n {
            Num::F(f) => Either::A(f),
            Num::I(i) => Either::B(BigInt::from(i)),
        }
    }

    // --- registry ---------------------------------------------------------

    #[napi]
    pub fn retain(env: &Env, h: u32) -> Result<()> {
        registry::retain(h).map_err(|e| js_err(env, e))
    }

    #[napi]
    pub fn release(env: &Env, h: u32) -> Result<()> {
        registry::release(h).map_err(|e| js_err(env, e))
    }

    #[napi]
    pub fn kind_of(h: u32) -> Option<&'static str> {
        registry::kind_of(h)
    }

    #[napi]
    pub fn live_objects() -> u32 {
        registry::live_objects() as u32
    }

    // --- shared cells (words.rs) --------------------------------------------

    /// Cells per chunk, so JS can split a cell index into chunk and offset.
    #[napi]
    pub fn cells_per_chunk() -> u32 {
        words::CHUNK_CELLS as u32
    }

    /// An ArrayBuffer over chunk `i`'s memory (not a copy), or null when the chunk
    /// does not exist or this runtime does not allow external buffers. Each
    /// isolate must ask once per chunk and keep the buffer (see `words.rs`).
    #[napi]
    pub fn cells_chunk<'env>(env: &'env Env, i: u32) -> Option<Unknown<'env>> {
        let chunk = words::chunk(i)?;
        let mut buffer = std::ptr::null_mut();
        // SAFETY: the chunk is 'static memory that is never freed or moved
        // (words.rs), so no finalizer is needed and the pointer stays valid for
        // the buffer's whole life; `env` is the live env of this call. JS only
        // touches it with Atomics and plain aligned loads/stores of whole cells
        // or halves, as the Rust side does.
        let status = unsafe {
            napi::sys::napi_create_external_arraybuffer(
                env.raw(),
                chunk.as_ptr() as *mut std::ffi::c_void,
                std::mem::size_of_val(chunk),
                None,
                std::ptr::null_mut(),
                &mut buffer,
            )
        };
        if status != napi::sys::Status::napi_ok {
            // E.g. napi_no_external_buffers_allowed (a V8 sandbox): the front end
            // keeps to addon calls. Never fall back to a copy, which would not be shared.
            return None;
        }
        // SAFETY: napi_create_external_arraybuffer succeeded, so `buffer` is a
        // live value of this env.
        Some(unsafe { Unknown::from_raw_unchecked(env.raw(), buffer) })
    }

    // --- change notification ----------------------------------------------

    #[napi]
    pub fn epoch(env: &Env, h: u32) -> Result<u32> {
        Ok(any_entry(env, h)?.notifier.epoch())
    }

    #[napi]
    pub fn watch(env: &Env, h: u32, seen: u32, on_change: Function<(), ()>) -> Result<u32> {
        let e = any_entry(env, h)?;
        if e.notifier.epoch() != seen {
            return Ok(0);
        }
        // Weak: a pending watch must not keep the isolate's event loop alive (the
        // front end keeps it alive while an async twin is pending).
        let tsfn = on_change
            .build_threadsafe_function::<()>()
            .weak::<true>()
            .build()?;
        let cb: WatchFn = Box::new(move || {
            // Closing means the isolate is gone: nobody is left to tell.
            let _ = tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
        });
        Ok(e.notifier.watch(h, seen, cb))
    }

    #[napi]
    pub fn unwatch(watch_id: u32) {
        if let Some(h) = take_watch(watch_id) {
            if let Some(e) = registry::get(h) {
                drop(e.notifier.unwatch(watch_id));
            }
        }
    }

    // --- time, threads of the OS ------------------------------------------

    #[napi]
    pub fn sleep(env: &Env, ms: f64) -> Result<()> {
        thread::sleep(ms).map_err(|e| js_err(env, e))
    }

    #[napi]
    pub fn os_thread_id() -> i64 {
        thread::os_thread_id()
    }

    #[napi]
    pub fn interrupt_all() {
        park::interrupt_all();
    }

    // --- Lock ---------------------------------------------------------------

    #[napi]
    pub fn lock_new() -> u32 {
        registry::insert(Object::Lock(Lock::new()))
    }

    #[napi]
    pub fn lock_acquire(env: &Env, h: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Lock, "lock");
        inner!(e, Lock)
            .acquire(Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    #[napi]
    pub fn lock_release(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Lock, "lock");
        let released = inner!(e, Lock).release();
        if released {
            e.notifier.bump();
        }
        Ok(released)
    }

    /// The lock's state cell index, or -1 when it has none (see `words.rs`).
    #[napi]
    pub fn lock_cell(env: &Env, h: u32) -> Result<i64> {
        let e = object!(env, h, Lock, "lock");
        Ok(inner!(e, Lock).cell().map_or(-1, i64::from))
    }

    /// Makes the next release of a held lock come through `lock_release` (which
    /// bumps the epoch); false when the lock is free (retry instead of watching).
    #[napi]
    pub fn lock_mark_waiting(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Lock, "lock");
        Ok(inner!(e, Lock).mark_waiting())
    }

    #[napi]
    pub fn lock_locked(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Lock, "lock");
        Ok(inner!(e, Lock).locked())
    }

    // --- Value --------------------------------------------------------------

    #[napi]
    pub fn value_new(env: &Env, ty: String, initial: Either<f64, BigInt>) -> Result<u32> {
        let Some(t) = ValueType::parse(&ty) else {
            return Err(type_error(env, format!("unknown Value type '{ty}'")));
        };
        Ok(registry::insert(Object::Value(Value::new(t, num(initial)))))
    }

    #[napi]
    pub fn value_type(env: &Env, h: u32) -> Result<&'static str> {
        let e = object!(env, h, Value, "value");
        Ok(inner!(e, Value).ty().name())
    }

    /// The value's cell index, or -1 when it has none (see `words.rs`).
    #[napi]
    pub fn value_cell(env: &Env, h: u32) -> Result<i64> {
        let e = object!(env, h, Value, "value");
        Ok(inner!(e, Value).cell().map_or(-1, i64::from))
    }

    #[napi]
    pub fn value_get(env: &Env, h: u32) -> Result<Either<f64, BigInt>> {
        let e = object!(env, h, Value, "value");
        Ok(to_js(inner!(e, Value).get()))
    }

    #[napi]
    pub fn value_set(env: &Env, h: u32, v: Either<f64, BigInt>) -> Result<()> {
        let e = object!(env, h, Value, "value");
        inner!(e, Value).set(num(v));
        Ok(())
    }

    #[napi]
    pub fn value_add(env: &Env, h: u32, n: Either<f64, BigInt>) -> Result<Either<f64, BigInt>> {
        let e = object!(env, h, Value, "value");
        Ok(to_js(inner!(e, Value).add(num(n))))
    }

    #[napi]
    pub fn value_compare_exchange(
        env: &Env,
        h: u32,
        expected: Either<f64, BigInt>,
        replacement: Either<f64, BigInt>,
    ) -> Result<Either<f64, BigInt>> {
        let e = object!(env, h, Value, "value");
        Ok(to_js(
            inner!(e, Value).compare_exchange(num(expected), num(replacement)),
        ))
    }

    // --- Queue --------------------------------------------------------------

    /// `flavor` is `'fifo' | 'lifo' | 'priority' | 'simple'` (default fifo).
    #[napi]
    pub fn queue_new(env: &Env, maxsize: f64, flavor: Option<String>) -> Result<u32> {
        let maxsize = if maxsize.is_finite() && maxsize > 0.0 {
            maxsize as usize
        } else {
            0
        };
        let flavor = match flavor.as_deref() {
            None => Flavor::Fifo,
            Some(name) => match Flavor::parse(name) {
                Some(f) => f,
                None => return Err(type_error(env, format!("unknown queue flavor '{name}'"))),
            },
        };
        Ok(registry::insert(Object::Queue(Queue::with_lane(
            maxsize, flavor,
        ))))
    }

    #[napi]
    pub fn queue_maxsize(env: &Env, h: u32) -> Result<f64> {
        let e = object!(env, h, Queue, "queue");
        Ok(inner!(e, Queue).maxsize() as f64)
    }

    // queuePut and queueGet are raw Node-API callbacks (raw.rs), added here.
    #[napi(module_exports)]
    pub fn add_raw_callbacks(exports: napi::bindgen_prelude::Object, env: Env) -> Result<()> {
        crate::raw::register(env.raw(), napi::JsValue::value(&exports).value)
    }

    /// The queue's lane for JS's no-call fast path: the cell indexes of its
    /// header and ring (queue/ring.rs), or null (not a FIFO flavor, or no shared
    /// cells left).
    #[napi]
    pub fn queue_lane(env: &Env, h: u32) -> Result<Option<Vec<u32>>> {
        let e = object!(env, h, Queue, "queue");
        Ok(inner!(e, Queue).lane().map(|cells| cells.to_vec()))
    }

    /// After a put (`forItem`) or get through the lane that saw a thread parked
    /// or an async twin watching: wakes one parked thread and moves the epoch.
    #[napi]
    pub fn queue_lane_signal(env: &Env, h: u32, for_item: bool) -> Result<()> {
        let e = object!(env, h, Queue, "queue");
        inner!(e, Queue).wake(for_item);
        e.notifier.bump();
        Ok(())
    }

    #[napi]
    pub fn queue_size(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, Queue, "queue");
        Ok(inner!(e, Queue).len() as u32)
    }

    #[napi]
    pub fn queue_task_done(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Queue, "queue");
        match inner!(e, Queue).task_done() {
            TaskDone::NoTask => Ok(false),
            TaskDone::Done => Ok(true),
            TaskDone::AllDone => {
                e.notifier.bump();
                Ok(true)
            }
        }
    }

    #[napi]
    pub fn queue_join(env: &Env, h: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Queue, "queue");
        inner!(e, Queue)
            .join(Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    #[napi]
    pub fn queue_shutdown(env: &Env, h: u32, immediate: bool) -> Result<()> {
        let e = object!(env, h, Queue, "queue");
        let dropped = inner!(e, Queue).shutdown(immediate);
        e.notifier.bump();
        for item in dropped {
            registry::release_item(&item);
        }
        Ok(())
    }

    #[napi]
    pub fn queue_is_shut_down(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Queue, "queue");
        Ok(inner!(e, Queue).is_shut_down())
    }

    // --- RLock --------------------------------------------------------------

    #[napi]
    pub fn rlock_new() -> u32 {
        registry::insert(Object::RLock(RLock::new()))
    }

    #[napi]
    pub fn rlock_acquire(env: &Env, h: u32, owner: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, RLock, "rlock");
        inner!(e, RLock)
            .acquire(owner, Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    /// 0 Ok, 1 NotOwner (RlockRelease). The epoch moves when it becomes free.
    #[napi]
    pub fn rlock_release(env: &Env, h: u32, owner: u32) -> Result<u32> {
        let e = object!(env, h, RLock, "rlock");
        match inner!(e, RLock).release(owner) {
            RRelease::Released { freed } => {
                if freed {
                    e.notifier.bump();
                }
                Ok(0)
            }
            RRelease::NotOwner => Ok(1),
        }
    }

    /// [state cell, owner cell, count cell] for JS's no-call steps (rlock.rs),
    /// or null when any of them is not shared.
    #[napi]
    pub fn rlock_cells(env: &Env, h: u32) -> Result<Option<Vec<u32>>> {
        let e = object!(env, h, RLock, "rlock");
        Ok(inner!(e, RLock).cells().map(|cells| cells.to_vec()))
    }

    /// Makes the next release that frees a held RLock come through
    /// `rlock_release` (which bumps the epoch); false when it is free (retry
    /// instead of watching).
    #[napi]
    pub fn rlock_mark_waiting(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, RLock, "rlock");
        Ok(inner!(e, RLock).mark_waiting())
    }

    #[napi]
    pub fn rlock_locked(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, RLock, "rlock");
        Ok(inner!(e, RLock).locked())
    }

    #[napi]
    pub fn rlock_owner(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, RLock, "rlock");
        Ok(inner!(e, RLock).owner())
    }

    #[napi]
    pub fn rlock_is_owned(env: &Env, h: u32, owner: u32) -> Result<bool> {
        let e = object!(env, h, RLock, "rlock");
        Ok(inner!(e, RLock).is_owned(owner))
    }

    /// The count released (0: not the owner, nothing changed).
    #[napi]
    pub fn rlock_release_all(env: &Env, h: u32, owner: u32) -> Result<f64> {
        let e = object!(env, h, RLock, "rlock");
        let n = inner!(e, RLock).release_all(owner);
        if n > 0 {
            e.notifier.bump();
        }
        Ok(n as f64)
    }

    #[napi]
    pub fn rlock_acquire_count(
        env: &Env,
        h: u32,
        owner: u32,
        count: f64,
        timeout_ms: f64,
    ) -> Result<bool> {
        let e = object!(env, h, RLock, "rlock");
        inner!(e, RLock)
            .acquire_count(owner, to_u64(count), Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    // --- Condition ----------------------------------------------------------

    #[napi]
    pub fn cond_new() -> u32 {
        registry::insert(Object::Condition(Condition::new()))
    }

    // condRegister, condPoll, condCancel and condNotify: raw.rs.

    /// 0 Notified, 1 TimedOut (CondWait).
    #[napi]
    pub fn cond_wait(env: &Env, h: u32, ticket: f64, timeout_ms: f64) -> Result<u32> {
        let e = object!(env, h, Condition, "condition");
        inner!(e, Condition)
            .wait(to_u64(ticket), Timeout::from_ms(timeout_ms))
            .map(|w| w as u32)
            .map_err(|err| js_err(env, err))
    }

    #[napi]
    pub fn cond_notify_all(env: &Env, h: u32) -> Result<f64> {
        let e = object!(env, h, Condition, "condition");
        let woken = inner!(e, Condition).notify_all();
        if woken > 0 {
            e.notifier.bump();
        }
        Ok(woken as f64)
    }

    #[napi]
    pub fn cond_waiting(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, Condition, "condition");
        Ok(inner!(e, Condition).waiting() as u32)
    }

    // --- Semaphore ----------------------------------------------------------

    /// `bound` < 0: a plain Semaphore; else a BoundedSemaphore's limit.
    #[napi]
    pub fn sem_new(value: f64, bound: f64) -> u32 {
        let bound = (bound >= 0.0).then(|| to_u64(bound));
        registry::insert(Object::Semaphore(Semaphore::with_bound(
            to_u64(value),
            bound,
        )))
    }

    #[napi]
    pub fn sem_acquire(env: &Env, h: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Semaphore, "semaphore");
        inner!(e, Semaphore)
            .acquire(Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    /// False (no change) past a BoundedSemaphore's limit; the epoch moves otherwise.
    #[napi]
    pub fn sem_release(env: &Env, h: u32, n: f64) -> Result<bool> {
        let e = object!(env, h, Semaphore, "semaphore");
        let ok = inner!(e, Semaphore).release(to_u64(n));
        if ok {
            e.notifier.bump();
        }
        Ok(ok)
    }

    #[napi]
    pub fn sem_value(env: &Env, h: u32) -> Result<f64> {
        let e = object!(env, h, Semaphore, "semaphore");
        Ok(inner!(e, Semaphore).value() as f64)
    }

    // --- Event --------------------------------------------------------------

    #[napi]
    pub fn event_new() -> u32 {
        registry::insert(Object::Event(Event::new()))
    }

    #[napi]
    pub fn event_is_set(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Event, "event");
        Ok(inner!(e, Event).is_set())
    }

    #[napi]
    pub fn event_set(env: &Env, h: u32) -> Result<()> {
        let e = object!(env, h, Event, "event");
        inner!(e, Event).set();
        e.notifier.bump();
        Ok(())
    }

    #[napi]
    pub fn event_clear(env: &Env, h: u32) -> Result<()> {
        let e = object!(env, h, Event, "event");
        inner!(e, Event).clear();
        Ok(())
    }

    #[napi]
    pub fn event_wait(env: &Env, h: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Event, "event");
        inner!(e, Event)
            .wait(Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    /// `event_wait`, counting the sets since the event's word was `seen` (as
    /// the caller read it before spinning).
    #[napi]
    pub fn event_wait_since(env: &Env, h: u32, seen: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Event, "event");
        inner!(e, Event)
            .wait_since(seen, Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    /// Before an async twin watches the epoch: the next set comes to the crate,
    /// which bumps it (a set through the word would not).
    #[napi]
    pub fn event_mark_watched(env: &Env, h: u32) -> Result<()> {
        let e = object!(env, h, Event, "event");
        inner!(e, Event).mark_watched();
        Ok(())
    }

    /// The index of the cell holding the event's word, or -1 (see `words.rs`).
    #[napi]
    pub fn event_cell(env: &Env, h: u32) -> Result<i64> {
        let e = object!(env, h, Event, "event");
        Ok(inner!(e, Event).cell().map_or(-1, i64::from))
    }

    // --- Barrier ------------------------------------------------------------
    //
    // BarrierStatus: -1 Broken, -2 Waiting. The epoch moves after every call
    // that may have released, broken, reset or emptied the barrier (an emptied
    // draining barrier lets held-back arrivals in), a superset of types.ts's
    // "release, break, abort and reset": an extra move only makes a watcher poll.

    const BROKEN: f64 = -1.0;
    const WAITING: f64 = -2.0;

    #[napi]
    pub fn barrier_new(parties: u32) -> u32 {
        registry::insert(Object::Barrier(Barrier::new(parties)))
    }

    #[napi]
    pub fn barrier_parties(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, Barrier, "barrier");
        Ok(inner!(e, Barrier).parties())
    }

    #[napi]
    pub fn barrier_n_waiting(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, Barrier, "barrier");
        Ok(inner!(e, Barrier).n_waiting() as u32)
    }

    #[napi]
    pub fn barrier_broken(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Barrier, "barrier");
        Ok(inner!(e, Barrier).broken())
    }

    /// A ticket (> 0), or -1 Broken, -2 Waiting.
    #[napi]
    pub fn barrier_arrive(env: &Env, h: u32, timeout_ms: f64) -> Result<f64> {
        let e = object!(env, h, Barrier, "barrier");
        match inner!(e, Barrier).arrive(Timeout::from_ms(timeout_ms)) {
            Ok(Arrive::Ticket(t)) => {
                e.notifier.bump();
                Ok(t as f64)
            }
            Ok(Arrive::Broken) => Ok(BROKEN),
            Ok(Arrive::Waiting) => Ok(WAITING),
            Err(err) => Err(js_err(env, err)),
        }
    }

    /// The index (>= 0), or -1 Broken, -2 Waiting.
    #[napi]
    pub fn barrier_wait(env: &Env, h: u32, ticket: f64, timeout_ms: f64) -> Result<f64> {
        let e = object!(env, h, Barrier, "barrier");
        match inner!(e, Barrier).wait(to_u64(ticket), Timeout::from_ms(timeout_ms)) {
            Ok(BarrierWait::Index(i)) => {
                e.notifier.bump();
                Ok(f64::from(i))
            }
            Ok(BarrierWait::Broken) => {
                e.notifier.bump();
                Ok(BROKEN)
            }
            Ok(BarrierWait::Waiting) => Ok(WAITING),
            Err(err) => {
                e.notifier.bump();
                Err(js_err(env, err))
            }
        }
    }

    /// The index if it had been released, else -1.
    #[napi]
    pub fn barrier_cancel(env: &Env, h: u32, ticket: f64) -> Result<f64> {
        let e = object!(env, h, Barrier, "barrier");
        let r = inner!(e, Barrier).cancel(to_u64(ticket));
        e.notifier.bump();
        Ok(r as f64)
    }

    #[napi]
    pub fn barrier_abort(env: &Env, h: u32) -> Result<()> {
        let e = object!(env, h, Barrier, "barrier");
        inner!(e, Barrier).abort();
        e.notifier.bump();
        Ok(())
    }

    #[napi]
    pub fn barrier_reset(env: &Env, h: u32) -> Result<()> {
        let e = object!(env, h, Barrier, "barrier");
        inner!(e, Barrier).reset();
        e.notifier.bump();
        Ok(())
    }

    // --- Thread records -----------------------------------------------------

    #[napi(object)]
    pub struct ThreadOutcome {
        pub data: Buffer,
        pub failed: bool,
    }

    #[napi]
    pub fn thread_new(name: String, daemon: bool) -> u32 {
        registry::insert(Object::Thread(ThreadRecord::new(name, daemon)))
    }

    #[napi]
    pub fn thread_name(env: &Env, h: u32) -> Result<String> {
        let e = object!(env, h, Thread, "thread");
        Ok(inner!(e, Thread).name())
    }

    #[napi]
    pub fn thread_set_name(env: &Env, h: u32, name: String) -> Result<()> {
        let e = object!(env, h, Thread, "thread");
        inner!(e, Thread).set_name(name);
        Ok(())
    }

    #[napi]
    pub fn thread_daemon(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Thread, "thread");
        Ok(inner!(e, Thread).daemon())
    }

    #[napi]
    pub fn thread_set_daemon(env: &Env, h: u32, daemon: bool) -> Result<()> {
        let e = object!(env, h, Thread, "thread");
        inner!(e, Thread).set_daemon(daemon);
        Ok(())
    }

    /// 0 New, 1 Running, 2 Done (ThreadState).
    #[napi]
    pub fn thread_state(env: &Env, h: u32) -> Result<u32> {
        let e = object!(env, h, Thread, "thread");
        Ok(inner!(e, Thread).state() as u32)
    }

    #[napi]
    pub fn thread_mark_running(env: &Env, h: u32, native_id: i64) -> Result<()> {
        let e = object!(env, h, Thread, "thread");
        inner!(e, Thread).mark_running(native_id);
        Ok(())
    }

    #[napi]
    pub fn thread_native_id(env: &Env, h: u32) -> Result<i64> {
        let e = object!(env, h, Thread, "thread");
        Ok(inner!(e, Thread).native_id())
    }

    #[napi]
    pub fn thread_finish(env: &Env, h: u32, data: &[u8], failed: bool) -> Result<()> {
        let e = object!(env, h, Thread, "thread");
        if let Some(refused) = inner!(e, Thread).finish(data.to_vec(), failed) {
            // Already Done: the record keeps its first outcome.
            registry::release_item(&refused);
        } else {
            e.notifier.bump();
        }
        Ok(())
    }

    #[napi]
    pub fn thread_join(env: &Env, h: u32, timeout_ms: f64) -> Result<bool> {
        let e = object!(env, h, Thread, "thread");
        inner!(e, Thread)
            .join(Timeout::from_ms(timeout_ms))
            .map_err(|err| js_err(env, err))
    }

    #[napi]
    pub fn thread_outcome(env: &Env, h: u32) -> Result<Option<ThreadOutcome>> {
        let e = object!(env, h, Thread, "thread");
        Ok(inner!(e, Thread).outcome().map(|o| ThreadOutcome {
            data: o.data.into(),
            failed: o.failed,
        }))
    }

    #[napi]
    pub fn threads_running() -> Vec<u32> {
        registry::threads_running()
    }

    thread_local! {
        // One Node environment per OS thread (the main one, each worker), so a
        // thread-local is per isolate: the record of the thread it runs now and
        // the outcome to give that record if the isolate is torn down first.
        static EPITAPH: RefCell<Option<(u32, Vec<u8>)>> = const { RefCell::new(None) };
        static CLEANUP_HOOKED: Cell<bool> = const { Cell::new(false) };
    }

    /// An isolate killed by its heap limit runs no JS (no 'exit' handler), but
    /// Node still runs its environment's cleanup hooks: that is where a thread
    /// record it left Running is finished, so joiners in any isolate wake.
    #[napi]
    pub fn thread_set_epitaph(env: &Env, h: u32, data: &[u8]) -> Result<()> {
        object!(env, h, Thread, "thread");
        if !CLEANUP_HOOKED.replace(true) {
            env.add_env_cleanup_hook((), |()| write_epitaph())?;
        }
        // The epitaph keeps the record alive until it is cleared or written.
        registry::retain(h).map_err(|e| js_err(env, e))?;
        clear_epitaph();
        EPITAPH.set(Some((h, data.to_vec())));
        Ok(())
    }

    #[napi]
    pub fn thread_clear_epitaph() {
        clear_epitaph();
    }

    fn clear_epitaph() {
        if let Some((h, _)) = EPITAPH.take() {
            let _ = registry::release(h);
        }
    }

    fn write_epitaph() {
        let Some((h, data)) = EPITAPH.take() else {
            return;
        };
        // At process exit every isolate is torn down: that ends no thread early.
        if !park::is_interrupted() {
            if let Ok(e) = registry::get_kind(h, "thread") {
                if let Object::Thread(record) = &e.object {
                    match record.finish(data, true) {
                        Some(refused) => registry::release_item(&refused),
                        None => e.notifier.bump(),
                    }
                }
            }
        }
        let _ = registry::release(h);
    }

    // --- kernels ------------------------------------------------------------

    /// The seed's race on two crate-owned OS threads; the end value (1 or 2).
    #[napi]
    pub fn seed_race(env: &Env, locked: bool, sleep_ms: Option<f64>) -> Result<i64> {
        kernels::seed_race(locked, sleep_ms.unwrap_or(100.0)).map_err(|e| js_err(env, e))
    }

    /// The seed's queue workers on crate-owned OS threads; the checksum.
    #[napi]
    pub fn seed_queue(env: &Env, workers: u32, items: u32) -> Result<f64> {
        kernels::seed_queue(workers, items).map_err(|e| js_err(env, e))
    }
}
