//! Loom models of `Value` (the shipped code, through the `sync.rs` shim): the
//! read-modify-writes are atomic for every element type.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_value`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use native_threads::value::{Num, Value, ValueType};

fn one(ty: ValueType) -> Num {
    if ty == ValueType::I64 {
        Num::I(1)
    } else {
        Num::F(1.0)
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::F(f) => f,
        Num::I(i) => i as f64,
    }
}

const TYPES: [ValueType; 4] = [
    ValueType::I32,
    ValueType::U32,
    ValueType::I64,
    ValueType::F64,
];

/// Two threads `add(1)` at once: the result is 2 and the two returned previous
/// values are 0 and 1 (each saw the other's add or none of it).
#[test]
fn concurrent_adds_lose_no_update() {
    for ty in TYPES {
        loom::model(move || {
            let v = Arc::new(Value::new(ty, Num::F(0.0)));
            let v2 = v.clone();
            let t = thread::spawn(move || as_f64(v2.add(one(ty))));
            let mine = as_f64(v.add(one(ty)));
            let theirs = t.join().unwrap();
            let mut seen = [mine, theirs];
            seen.sort_by(f64::total_cmp);
            assert_eq!(seen, [0.0, 1.0], "{ty:?}");
            assert_eq!(as_f64(v.get()), 2.0, "{ty:?}");
        });
    }
}

/// Two threads increment with a compareExchange loop (read, try to swap in
/// read + 1, retry on a miss): the result is 2.
#[test]
fn compare_exchange_loops_lose_no_update() {
    for ty in TYPES {
        loom::model(move || {
            let v = Arc::new(Value::new(ty, Num::F(0.0)));
            let increment = move |v: &Value| loop {
                let seen = v.get();
                let next = match seen {
                    Num::F(f) => Num::F(f + 1.0),
                    Num::I(i) => Num::I(i + 1),
                };
                if v.compare_exchange(seen, next) == seen {
                    return;
                }
                loom::thread::yield_now();
            };
            let v2 = v.clone();
            let t = thread::spawn(move || increment(&v2));
            increment(&v);
            t.join().unwrap();
            assert_eq!(as_f64(v.get()), 2.0, "{ty:?}");
        });
    }
}
