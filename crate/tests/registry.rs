//! Registry: handles, kinds, reference counts, freeing what freed objects held,
//! malformed headers, and epochs/watches (notify).

#![cfg(not(loom))]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use native_threads::error::Error;
use native_threads::lock::Lock;
use native_threads::park::Timeout;
use native_threads::queue::{Put, Queue};
use native_threads::registry::{self, Object};
use native_threads::thread::ThreadRecord;
use native_threads::value::{Num, Value, ValueType};

// Tests share one process-wide registry and run in parallel, so they check
// their own handles, never the global live count (except via deltas of their own).
static SERIAL: Mutex<()> = Mutex::new(());

fn header(handles: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = (handles.len() as u32).to_le_bytes().to_vec();
    for h in handles {
        v.extend_from_slice(&h.to_le_bytes());
    }
    v.extend_from_slice(payload);
    v
}

#[test]
fn handles_are_unique_positive_and_typed() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let a = registry::insert(Object::Lock(Lock::new()));
    let b = registry::insert(Object::Value(Value::new(ValueType::I32, Num::F(0.0))));
    assert!(a >= 1 && b > a);
    assert_eq!(registry::kind_of(a), Some("lock"));
    assert_eq!(registry::kind_of(b), Some("value"));
    assert!(registry::get_kind(a, "lock").is_ok());
    let err = registry::get_kind(a, "queue").err().unwrap();
    assert!(matches!(err, Error::InvalidHandle { .. }));
    assert!(err.to_string().starts_with("invalid handle"));
    assert_eq!(registry::kind_of(0), None);
    assert!(registry::get_kind(u32::MAX, "lock").is_err());
    registry::release(a).unwrap();
    registry::release(b).unwrap();
}

#[test]
fn refcount_frees_at_zero_and_never_revives() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = registry::live_objects();
    let h = registry::insert(Object::Lock(Lock::new()));
    assert_eq!(registry::live_objects(), before + 1);
    registry::retain(h).unwrap();
    registry::release(h).unwrap();
    assert_eq!(registry::kind_of(h), Some("lock"));
    registry::release(h).unwrap();
    assert_eq!(registry::kind_of(h), None);
    assert_eq!(registry::live_objects(), before);
    assert!(registry::retain(h).is_err());
    assert!(registry::release(h).is_err());
    let next = registry::insert(Object::Lock(Lock::new()));
    assert_ne!(next, h, "handles are never reused");
    registry::release(next).unwrap();
}

#[test]
fn freeing_a_queue_releases_handles_in_its_items() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = registry::live_objects();
    let inner_lock = registry::insert(Object::Lock(Lock::new()));
    let inner_q = registry::insert(Object::Queue(Queue::new(0)));
    // A chain: outer queue holds an item owning inner_q, which holds an item
    // owning inner_lock.
    let e = registry::get_kind(inner_q, "queue").unwrap();
    let Object::Queue(q) = &e.object else {
        unreachable!()
    };
    assert_eq!(
        q.put(header(&[inner_lock], b"x"), Timeout::Now).unwrap(),
        Put::Ok
    );
    drop(e);
    let outer = registry::insert(Object::Queue(Queue::new(0)));
    let e = registry::get_kind(outer, "queue").unwrap();
    let Object::Queue(q) = &e.object else {
        unreachable!()
    };
    assert_eq!(
        q.put(header(&[inner_q], b"y"), Timeout::Now).unwrap(),
        Put::Ok
    );
    // Malformed headers own nothing and must not break anything.
    q.put(vec![], Timeout::Now).unwrap();
    q.put(vec![1, 0], Timeout::Now).unwrap();
    q.put(header(&[], b""), Timeout::Now).unwrap();
    q.put(vec![200, 0, 0, 0, 1, 0, 0, 0], Timeout::Now).unwrap();
    drop(e);
    assert_eq!(registry::live_objects(), before + 3);
    registry::release(outer).unwrap();
    assert_eq!(registry::kind_of(inner_q), None);
    assert_eq!(registry::kind_of(inner_lock), None);
    assert_eq!(registry::live_objects(), before);
}

#[test]
fn freeing_a_thread_record_releases_its_outcome_handles() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let v = registry::insert(Object::Value(Value::new(ValueType::F64, Num::F(1.0))));
    let t = registry::insert(Object::Thread(ThreadRecord::new("T".into(), false)));
    let e = registry::get_kind(t, "thread").unwrap();
    let Object::Thread(rec) = &e.object else {
        unreachable!()
    };
    rec.mark_running(42);
    assert!(registry::threads_running().contains(&t));
    assert!(rec.finish(header(&[v], b"r"), false).is_none());
    assert!(!registry::threads_running().contains(&t));
    drop(e);
    assert_eq!(registry::kind_of(v), Some("value"));
    registry::release(t).unwrap();
    assert_eq!(registry::kind_of(v), None);
}

#[test]
fn header_parsing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(
        registry::header_handles(&header(&[5, 6], b"pp")),
        vec![5, 6]
    );
    assert!(registry::header_handles(&[]).is_empty());
    assert!(registry::header_handles(&[3, 0, 0, 0, 1, 0, 0, 0]).is_empty());
    assert!(registry::header_handles(&[255, 255, 255, 255]).is_empty());
}

#[test]
fn epoch_and_watches() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let h = registry::insert(Object::Lock(Lock::new()));
    let e = registry::get(h).unwrap();
    let n = &e.notifier;
    let seen = n.epoch();
    let fired = Arc::new(AtomicU32::new(0));
    let f = fired.clone();
    assert_eq!(
        n.watch(h, seen.wrapping_add(1), Box::new(|| panic!("stale"))),
        0
    );
    let id = n.watch(
        h,
        seen,
        Box::new(move || {
            f.fetch_add(1, Ordering::SeqCst);
        }),
    );
    assert_ne!(id, 0);
    n.bump();
    n.bump();
    assert_eq!(fired.load(Ordering::SeqCst), 1, "fires once");
    assert_eq!(n.epoch(), seen.wrapping_add(2));
    // unwatch cancels.
    let id2 = n.watch(h, n.epoch(), Box::new(|| panic!("cancelled")));
    assert_eq!(native_threads::notify::take_watch(id2), Some(h));
    assert!(n.unwatch(id2).is_some());
    n.bump();
    // Concurrent bumps and watches: every registered watch fires exactly once.
    let fired = Arc::new(AtomicU32::new(0));
    let registered = Arc::new(AtomicU32::new(0));
    let e2 = e.clone();
    let bumper = std::thread::spawn(move || {
        for _ in 0..2000 {
            e2.notifier.bump();
        }
    });
    for _ in 0..2000 {
        let f = fired.clone();
        let seen = n.epoch();
        if n.watch(
            h,
            seen,
            Box::new(move || {
                f.fetch_add(1, Ordering::SeqCst);
            }),
        ) != 0
        {
            registered.fetch_add(1, Ordering::SeqCst);
        }
    }
    bumper.join().unwrap();
    n.bump();
    assert_eq!(
        fired.load(Ordering::SeqCst),
        registered.load(Ordering::SeqCst)
    );
    drop(e);
    registry::release(h).unwrap();
}
