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

pub mod error;
pub mod lock;
pub mod park;
pub mod queue;
mod sync;

#[cfg(not(loom))]
pub mod kernels;
#[cfg(not(loom))]
pub mod notify;
#[cfg(not(loom))]
pub mod registry;
#[cfg(not(loom))]
pub mod thread;
#[cfg(not(loom))]
pub mod value;

// napi-derive registers nothing under cfg(test), so the surface would be dead code there.
#[cfg(not(any(loom, test)))]
mod surface {
    use napi::bindgen_prelude::{BigInt, Buffer, BufferSlice, Either, Function};
    use napi::threadsafe_function::ThreadsafeFunctionCallMode;
    use napi::{Env, Result, Status};
    use napi_derive::napi;

    use crate::error::Error;
    use crate::kernels;
    use crate::lock::Lock;
    use crate::notify::{take_watch, WatchFn};
    use crate::park::{self, Timeout};
    use crate::queue::{Get, Put, Queue, TaskDone};
    use crate::registry::{self, Entry, Object};
    use crate::thread::{self, ThreadRecord};
    use crate::value::{Num, Value, ValueType};

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

    #[napi]
    pub fn lock_locked(env: &Env, h: u32) -> Result<bool> {
        let e = object!(env, h, Lock, "lock");
        Ok(inner!(e, Lock).locked())
    }

    // --- Value --------------------------------------------------------------

    #[napi]
    pub fn value_new(env: &Env, ty: String, initial: Either<f64, BigInt>) -> Result<u32> {
        let Some(t) = ValueType::parse(&ty) else {
            let msg = format!("unknown Value type '{ty}'");
            return Err(match env.throw_type_error(&msg, None) {
                Ok(()) => napi::Error::from_status(Status::PendingException),
                Err(_) => napi::Error::new(Status::InvalidArg, msg),
            });
        };
        Ok(registry::insert(Object::Value(Value::new(t, num(initial)))))
    }

    #[napi]
    pub fn value_type(env: &Env, h: u32) -> Result<&'static str> {
        let e = object!(env, h, Value, "value");
        Ok(inner!(e, Value).ty().name())
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

    #[napi]
    pub fn queue_new(maxsize: f64) -> u32 {
        let maxsize = if maxsize.is_finite() && maxsize > 0.0 {
            maxsize as usize
        } else {
            0
        };
        registry::insert(Object::Queue(Queue::new(maxsize)))
    }

    #[napi]
    pub fn queue_maxsize(env: &Env, h: u32) -> Result<f64> {
        let e = object!(env, h, Queue, "queue");
        Ok(inner!(e, Queue).maxsize() as f64)
    }

    /// 0 Ok, 1 Full, 2 ShutDown (PutStatus).
    #[napi]
    pub fn queue_put(env: &Env, h: u32, item: &[u8], timeout_ms: f64) -> Result<u32> {
        let e = object!(env, h, Queue, "queue");
        let q = inner!(e, Queue);
        match q.put(item.to_vec(), Timeout::from_ms(timeout_ms)) {
            Ok(Put::Ok) => {
                e.notifier.bump();
                Ok(0)
            }
            // The refused copy is dropped; the caller still owns the original and
            // the handles in its header.
            Ok(Put::Full(_)) => Ok(1),
            Ok(Put::ShutDown(_)) => Ok(2),
            Err(err) => Err(js_err(env, err)),
        }
    }

    /// The item, or 1 Empty / 2 ShutDown (GetStatus).
    #[napi]
    pub fn queue_get<'env>(
        env: &'env Env,
        h: u32,
        timeout_ms: f64,
    ) -> Result<Either<BufferSlice<'env>, u32>> {
        let e = object!(env, h, Queue, "queue");
        let q = inner!(e, Queue);
        match q.get(Timeout::from_ms(timeout_ms)) {
            Ok(Get::Item(item)) => {
                e.notifier.bump();
                match BufferSlice::copy_from(env, &item) {
                    Ok(buf) => Ok(Either::A(buf)),
                    Err(err) => {
                        // Cannot hand it over: the handles it owned go with it.
                        registry::release_item(&item);
                        Err(err)
                    }
                }
            }
            Ok(Get::Empty) => Ok(Either::B(1)),
            Ok(Get::ShutDown) => Ok(Either::B(2)),
            Err(err) => Err(js_err(env, err)),
        }
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
