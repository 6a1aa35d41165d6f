//! The queue's put and get, a thread's outcome, and a Condition's register, poll,
//! cancel and notify, as raw Node-API callbacks.
//!
//! Why: napi-rs 3's generated wrappers cost 100–200 ns more per call than the
//! Node-API calls they make (measured here on Node 20: a function returning its
//! one u32 argument took 147–243 ns through `#[napi]` and 47 ns written out), and
//! that was most of a small item's put or get, and of a Condition handoff's
//! three calls (where the js backend, whose calls are plain JS, stayed ahead).
//! These do what their `#[napi]` versions did, with the Node-API calls written
//! out; everything else stays on napi-rs, where the overhead does not matter.
//!
//! Bad arguments throw a TypeError and never panic; a panic is still caught
//! before it could unwind into Node.

use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::sys;

use crate::condition::Condition;
use crate::error::Error;
use crate::park::Timeout;
use crate::queue::{Get, Put, Queue};
use crate::registry::{self, Entry, Object};

type Value = sys::napi_value;

/// Why a callback did not return a value: an error to throw.
enum Fail {
    Type(String),
    Error(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        match e {
            Error::InvalidHandle { .. } => Fail::Type(e.to_string()),
            Error::Interrupted => Fail::Error(e.to_string()),
        }
    }
}

type Outcome = Result<Value, Fail>;

/// Runs `body`, turning a failure (or a panic) into a thrown error.
fn callback(env: sys::napi_env, body: impl FnOnce() -> Outcome) -> Value {
    let fail = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return value,
        Ok(Err(fail)) => fail,
        Err(_) => Fail::Error("native-threads: internal error (a panic in the addon)".into()),
    };
    let (message, type_error) = match fail {
        Fail::Type(m) => (m, true),
        Fail::Error(m) => (m, false),
    };
    let message = CString::new(message).unwrap_or_default();
    // SAFETY: `env` is the env of the running callback; both strings are NUL-terminated.
    unsafe {
        if type_error {
            sys::napi_throw_type_error(env, ptr::null(), message.as_ptr());
        } else {
            sys::napi_throw_error(env, ptr::null(), message.as_ptr());
        }
    }
    ptr::null_mut()
}

fn check(status: sys::napi_status, what: &str) -> Result<(), Fail> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Fail::Type(format!("{what}: wrong type")))
    }
}

/// The first N arguments; Node-API fills missing ones with `undefined`.
fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Result<[Value; N], Fail> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    // SAFETY: argv has room for argc values; this/data are not asked for.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    check(status, "arguments")?;
    Ok(argv)
}

fn to_u32(env: sys::napi_env, v: Value, what: &str) -> Result<u32, Fail> {
    let mut out = 0;
    // SAFETY: `v` is a live value of this callback's scope.
    let status = unsafe { sys::napi_get_value_uint32(env, v, &mut out) };
    check(status, what)?;
    Ok(out)
}

fn to_f64(env: sys::napi_env, v: Value, what: &str) -> Result<f64, Fail> {
    let mut out = 0.0;
    // SAFETY: as in `to_u32`.
    let status = unsafe { sys::napi_get_value_double(env, v, &mut out) };
    check(status, what)?;
    Ok(out)
}

fn is_nullish(env: sys::napi_env, v: Value) -> bool {
    let mut ty = 0;
    // SAFETY: as in `to_u32`.
    let status = unsafe { sys::napi_typeof(env, v, &mut ty) };
    status == sys::Status::napi_ok
        && (ty == sys::ValueType::napi_undefined || ty == sys::ValueType::napi_null)
}

/// A Uint8Array's (or Buffer's) bytes, as a pointer and length.
fn uint8_array(env: sys::napi_env, v: Value, what: &str) -> Result<(*mut u8, usize), Fail> {
    let mut ty = 0;
    let mut len = 0;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0;
    // SAFETY: as in `to_u32`; every out-pointer is valid.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            v,
            &mut ty,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    check(status, what)?;
    if ty != sys::TypedarrayType::uint8_array {
        return Err(Fail::Type(format!("{what}: expected a Uint8Array")));
    }
    Ok((data.cast(), len))
}

/// Borrows the bytes of a Uint8Array argument for the rest of the callback.
///
/// # Safety
/// The array must stay alive and unresized for the returned slice's life: true
/// for an argument during its callback (a JS value cannot be detached while
/// this thread runs native code, and no JS runs here).
unsafe fn bytes<'a>(env: sys::napi_env, v: Value, what: &str) -> Result<&'a [u8], Fail> {
    let (data, len) = uint8_array(env, v, what)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: Node-API reported `len` readable bytes at `data` (caller: alive).
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

fn boolean(env: sys::napi_env, b: bool) -> Outcome {
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the running callback's.
    let status = unsafe { sys::napi_get_boolean(env, b, &mut out) };
    check(status, "result")?;
    Ok(out)
}

/// A ticket or a count from JS: a non-negative safe integer, anything else 0 (as lib.rs's `to_u64`).
fn to_u64(env: sys::napi_env, v: Value, what: &str) -> Result<u64, Fail> {
    let n = to_f64(env, v, what)?;
    Ok(if n >= 0.0 { n as u64 } else { 0 })
}

fn number(env: sys::napi_env, n: f64) -> Outcome {
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the running callback's.
    let status = unsafe { sys::napi_create_double(env, n, &mut out) };
    check(status, "result")?;
    Ok(out)
}

/// The live object behind handle argument `h`, if it is a `kind`.
fn entry_of(
    env: sys::napi_env,
    h: Value,
    kind: &'static str,
) -> Result<std::sync::Arc<Entry>, Fail> {
    Ok(registry::get_kind(to_u32(env, h, "h")?, kind)?)
}

fn queue(e: &Entry) -> &Queue {
    match &e.object {
        Object::Queue(q) => q,
        // entry_of's get_kind checked the kind.
        _ => unreachable!("a queue's entry holds a queue"),
    }
}

fn condition(e: &Entry) -> &Condition {
    match &e.object {
        Object::Condition(c) => c,
        // entry_of's get_kind checked the kind.
        _ => unreachable!("a condition's entry holds a condition"),
    }
}

/// `condRegister(h)` → a ticket (> 0; a safe integer).
unsafe extern "C" fn cond_register(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h] = args::<1>(env, info)?;
        let e = entry_of(env, h, "condition")?;
        number(env, condition(&e).register() as f64)
    })
}

/// `condPoll(h, ticket)` → true (the ticket used up) once notified.
unsafe extern "C" fn cond_poll(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h, ticket] = args::<2>(env, info)?;
        let e = entry_of(env, h, "condition")?;
        boolean(env, condition(&e).poll(to_u64(env, ticket, "ticket")?))
    })
}

/// `condCancel(h, ticket)` → true when the withdrawn ticket had been notified.
unsafe extern "C" fn cond_cancel(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h, ticket] = args::<2>(env, info)?;
        let e = entry_of(env, h, "condition")?;
        boolean(env, condition(&e).cancel(to_u64(env, ticket, "ticket")?))
    })
}

/// `condNotify(h, n)` → how many were notified; the epoch moves when that is not 0.
unsafe extern "C" fn cond_notify(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h, n] = args::<2>(env, info)?;
        let e = entry_of(env, h, "condition")?;
        let woken = condition(&e).notify(to_u64(env, n, "n")?);
        if woken > 0 {
            e.notifier.bump();
        }
        number(env, woken as f64)
    })
}

/// `queuePut(h, item, timeoutMs, key?)` → PutStatus (0 Ok, 1 Full, 2 ShutDown, 3 Incomparable).
unsafe extern "C" fn queue_put(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h, item, timeout, key] = args::<4>(env, info)?;
        let e = entry_of(env, h, "queue")?;
        // SAFETY: arguments of this callback (see `bytes`).
        let item = unsafe { bytes(env, item, "item")? };
        let timeout = Timeout::from_ms(to_f64(env, timeout, "timeoutMs")?);
        let key = if is_nullish(env, key) {
            Vec::new()
        } else {
            // SAFETY: as above.
            unsafe { bytes(env, key, "key")? }.to_vec()
        };
        let status = match queue(&e).put_keyed(item.to_vec(), key, timeout)? {
            Put::Ok => {
                e.notifier.bump();
                0.0
            }
            // The refused copy is dropped; the caller still owns the original and
            // the handles in its header.
            Put::Full(_) => 1.0,
            Put::ShutDown(_) => 2.0,
            Put::Incomparable(_) => 3.0,
        };
        number(env, status)
    })
}

/// `queueGet(h, timeoutMs, into?)` → the item as a new Buffer, or its length when
/// `into` was given and it fit there (copied: saves the Buffer, most of a small
/// get's cost), or -1 Empty / -2 ShutDown (GetStatus, negated).
unsafe extern "C" fn queue_get(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    callback(env, || {
        let [h, timeout, into] = args::<3>(env, info)?;
        let e = entry_of(env, h, "queue")?;
        let timeout = Timeout::from_ms(to_f64(env, timeout, "timeoutMs")?);
        let into = if is_nullish(env, into) {
            None
        } else {
            Some(uint8_array(env, into, "into")?)
        };
        let item = match queue(&e).get(timeout)? {
            Get::Item(item) => item,
            Get::Empty => return number(env, -1.0),
            Get::ShutDown => return number(env, -2.0),
        };
        e.notifier.bump();
        if let Some((data, len)) = into {
            if item.len() <= len {
                // SAFETY: `into` is the calling isolate's own scratch array (an
                // unshared ArrayBuffer) with `len` writable bytes, and that isolate
                // is blocked in this call, so nothing else touches it meanwhile.
                unsafe { ptr::copy_nonoverlapping(item.as_ptr(), data, item.len()) };
                return number(env, item.len() as f64);
            }
        }
        let mut copy = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        // SAFETY: `item` is `item.len()` readable bytes; the out-pointers are valid.
        let status = unsafe {
            sys::napi_create_buffer_copy(
                env,
                item.len(),
                item.as_ptr().cast(),
                &mut copy,
                &mut buffer,
            )
        };
        if status != sys::Status::napi_ok {
            // Cannot hand it over: the handles it owned go with it.
            registry::release_item(&item);
            return Err(Fail::Error(
                "native-threads: cannot allocate a Buffer for a queue item".into(),
            ));
        }
        Ok(buffer)
    })
}

/// `threadOutcomeInto(h, into)` → a thread's outcome copied into `into`: its
/// length, or -(length + 3) when it is an error; -1 before the thread is Done,
/// -2 when it does not fit (the caller then takes `threadOutcome`'s Buffer).
/// Saves that Buffer and its wrapper object, most of a join's cost after the wait.
unsafe extern "C" fn thread_outcome_into(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Value {
    callback(env, || {
        let [h, into] = args::<2>(env, info)?;
        let h = to_u32(env, h, "h")?;
        let e = registry::get_kind(h, "thread")?;
        let Object::Thread(record) = &e.object else {
            return Err(Error::InvalidHandle {
                handle: h,
                expected: Some("thread"),
            }
            .into());
        };
        let (data, len) = uint8_array(env, into, "into")?;
        let result = record.with_outcome(|outcome| match outcome {
            None => -1.0,
            Some(o) if o.data.len() > len => -2.0,
            Some(o) => {
                // SAFETY: `into` is the calling isolate's own scratch array (an
                // unshared ArrayBuffer) with `len` writable bytes, and that isolate
                // is in this call, so nothing else touches it meanwhile.
                unsafe { ptr::copy_nonoverlapping(o.data.as_ptr(), data, o.data.len()) };
                let n = o.data.len() as f64;
                if o.failed {
                    -(n + 3.0)
                } else {
                    n
                }
            }
        });
        number(env, result)
    })
}

/// Adds the raw callbacks to the addon's exports.
pub fn register(env: sys::napi_env, exports: Value) -> napi::Result<()> {
    let callbacks: [(&std::ffi::CStr, sys::napi_callback); 7] = [
        (c"queuePut", Some(queue_put)),
        (c"queueGet", Some(queue_get)),
        (c"threadOutcomeInto", Some(thread_outcome_into)),
        (c"condRegister", Some(cond_register)),
        (c"condPoll", Some(cond_poll)),
        (c"condCancel", Some(cond_cancel)),
        (c"condNotify", Some(cond_notify)),
    ];
    for (name, cb) in callbacks {
        let mut function = ptr::null_mut();
        let name_ptr: *const c_char = name.as_ptr();
        // SAFETY: `env` and `exports` come from the module's init; `name` is NUL-terminated.
        let status = unsafe {
            let created = sys::napi_create_function(
                env,
                name_ptr,
                name.count_bytes() as isize,
                cb,
                ptr::null_mut(),
                &mut function,
            );
            if created == sys::Status::napi_ok {
                sys::napi_set_named_property(env, exports, name_ptr, function)
            } else {
                created
            }
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason(format!("cannot export {name:?}")));
        }
    }
    Ok(())
}
