//! Value: plain get/set, atomic add and compare-exchange for every type.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;

use native_threads::value::{Num, Value, ValueType};

#[test]
fn types_and_plain_access() {
    for (name, ty) in [
        ("i32", ValueType::I32),
        ("u32", ValueType::U32),
        ("i64", ValueType::I64),
        ("f64", ValueType::F64),
    ] {
        assert_eq!(ValueType::parse(name), Some(ty));
        assert_eq!(ty.name(), name);
    }
    assert_eq!(ValueType::parse("u8"), None);
    let v = Value::new(ValueType::F64, Num::F(1.25));
    assert_eq!(v.ty(), ValueType::F64);
    assert_eq!(v.get(), Num::F(1.25));
    v.set(Num::F(-3.5));
    assert_eq!(v.get(), Num::F(-3.5));
    let i = Value::new(ValueType::I64, Num::I(i64::MAX));
    assert_eq!(i.add(Num::I(1)), Num::I(i64::MAX));
    assert_eq!(i.get(), Num::I(i64::MIN), "i64 add wraps");
}

#[test]
fn integer_add_wraps_and_returns_previous() {
    let v = Value::new(ValueType::I32, Num::F(f64::from(i32::MAX)));
    assert_eq!(v.add(Num::F(1.0)), Num::F(f64::from(i32::MAX)));
    assert_eq!(v.get(), Num::F(f64::from(i32::MIN)));
    let u = Value::new(ValueType::U32, Num::F(0.0));
    assert_eq!(u.add(Num::F(-1.0)), Num::F(0.0));
    assert_eq!(u.get(), Num::F(f64::from(u32::MAX)));
}

#[test]
fn compare_exchange_returns_previous() {
    let v = Value::new(ValueType::I32, Num::F(5.0));
    assert_eq!(v.compare_exchange(Num::F(4.0), Num::F(9.0)), Num::F(5.0));
    assert_eq!(v.get(), Num::F(5.0), "failed CAS changes nothing");
    assert_eq!(v.compare_exchange(Num::F(5.0), Num::F(9.0)), Num::F(5.0));
    assert_eq!(v.get(), Num::F(9.0));
    let f = Value::new(ValueType::F64, Num::F(0.5));
    assert_eq!(f.compare_exchange(Num::F(0.5), Num::F(2.0)), Num::F(0.5));
    assert_eq!(f.get(), Num::F(2.0));
    let i = Value::new(ValueType::I64, Num::I(-7));
    assert_eq!(i.compare_exchange(Num::I(-7), Num::I(1 << 40)), Num::I(-7));
    assert_eq!(i.get(), Num::I(1 << 40));
}

#[test]
fn concurrent_adds_are_atomic() {
    for ty in [
        ValueType::I32,
        ValueType::U32,
        ValueType::I64,
        ValueType::F64,
    ] {
        let one = if ty == ValueType::I64 {
            Num::I(1)
        } else {
            Num::F(1.0)
        };
        let v = Arc::new(Value::new(
            ty,
            if ty == ValueType::I64 {
                Num::I(0)
            } else {
                Num::F(0.0)
            },
        ));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let v = v.clone();
                thread::spawn(move || {
                    for _ in 0..10_000 {
                        v.add(one);
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        let want = if ty == ValueType::I64 {
            Num::I(40_000)
        } else {
            Num::F(40_000.0)
        };
        assert_eq!(v.get(), want, "{ty:?}");
    }
}

#[test]
fn f64_compare_exchange_compares_bit_patterns_like_the_js_backend() {
    let f = Value::new(ValueType::F64, Num::F(0.0));
    assert_eq!(f.compare_exchange(Num::F(-0.0), Num::F(1.0)), Num::F(0.0));
    assert_eq!(f.get(), Num::F(0.0), "-0 does not match 0");
    f.set(Num::F(f64::NAN));
    let prev = f.compare_exchange(Num::F(f64::NAN), Num::F(2.0));
    assert!(matches!(prev, Num::F(x) if x.is_nan()));
    assert_eq!(f.get(), Num::F(2.0), "the same NaN matches");
}
