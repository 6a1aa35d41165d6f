//! Value: one shared number (i32, u32, i64 or f64), like `multiprocessing.Value`.
//!
//! `get`/`set` are Relaxed loads and stores: racy on purpose, so the seed's
//! read-sleep-write race shows up exactly as with a Python global (but no torn
//! values). `add` and `compare_exchange` are atomic read-modify-writes returning
//! the previous value, as `Atomics` does; integer arithmetic wraps. f64 lives in
//! an `AtomicU64` as its bits: `add` is a CAS loop, and `compare_exchange`
//! compares bit patterns (NaN matches the same NaN, 0 does not match -0), exactly
//! as the js backend's compare-exchange on a BigInt64Array view does.
//!
//! SeqCst on the read-modify-writes: a JS user of `add` expects what `Atomics.add`
//! gives (sequentially consistent), and they are not the hot path.

use crate::sync::{AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering};

/// The element type of a [`Value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// 32-bit signed.
    I32,
    /// 32-bit unsigned.
    U32,
    /// 64-bit signed (a BigInt in JS).
    I64,
    /// 64-bit float (a number in JS).
    F64,
}

impl ValueType {
    /// Parses the JS name (`'i32'`, ...).
    pub fn parse(s: &str) -> Option<ValueType> {
        match s {
            "i32" => Some(ValueType::I32),
            "u32" => Some(ValueType::U32),
            "i64" => Some(ValueType::I64),
            "f64" => Some(ValueType::F64),
            _ => None,
        }
    }

    /// The JS name.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::I32 => "i32",
            ValueType::U32 => "u32",
            ValueType::I64 => "i64",
            ValueType::F64 => "f64",
        }
    }
}

/// A number as crossing the boundary: f64 for i32/u32/f64, i64 for i64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A JS number.
    F(f64),
    /// A JS bigint (i64 range, wrapped).
    I(i64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::F(f) => f,
            Num::I(i) => i as f64,
        }
    }

    fn as_i64(self) -> i64 {
        match self {
            // Saturating float-to-int, then the integer casts below wrap.
            Num::F(f) => f as i64,
            Num::I(i) => i,
        }
    }
}

enum Cell {
    I32(AtomicI32),
    U32(AtomicU32),
    I64(AtomicI64),
    F64(AtomicU64),
}

/// One shared number.
pub struct Value {
    cell: Cell,
}

impl Value {
    /// A new cell holding `initial` converted to `ty`.
    pub fn new(ty: ValueType, initial: Num) -> Value {
        let cell = match ty {
            ValueType::I32 => Cell::I32(AtomicI32::new(initial.as_i64() as i32)),
            ValueType::U32 => Cell::U32(AtomicU32::new(initial.as_i64() as u32)),
            ValueType::I64 => Cell::I64(AtomicI64::new(initial.as_i64())),
            ValueType::F64 => Cell::F64(AtomicU64::new(initial.as_f64().to_bits())),
        };
        Value { cell }
    }

    /// The element type.
    pub fn ty(&self) -> ValueType {
        match self.cell {
            Cell::I32(_) => ValueType::I32,
            Cell::U32(_) => ValueType::U32,
            Cell::I64(_) => ValueType::I64,
            Cell::F64(_) => ValueType::F64,
        }
    }

    /// Plain load (racy on purpose; Relaxed pairs with nothing).
    pub fn get(&self) -> Num {
        match &self.cell {
            Cell::I32(a) => Num::F(f64::from(a.load(Ordering::Relaxed))),
            Cell::U32(a) => Num::F(f64::from(a.load(Ordering::Relaxed))),
            Cell::I64(a) => Num::I(a.load(Ordering::Relaxed)),
            Cell::F64(a) => Num::F(f64::from_bits(a.load(Ordering::Relaxed))),
        }
    }

    /// Plain store (racy on purpose; Relaxed pairs with nothing).
    pub fn set(&self, v: Num) {
        match &self.cell {
            Cell::I32(a) => a.store(v.as_i64() as i32, Ordering::Relaxed),
            Cell::U32(a) => a.store(v.as_i64() as u32, Ordering::Relaxed),
            Cell::I64(a) => a.store(v.as_i64(), Ordering::Relaxed),
            Cell::F64(a) => a.store(v.as_f64().to_bits(), Ordering::Relaxed),
        }
    }

    /// Atomic add (wrapping for integers); returns the previous value.
    pub fn add(&self, n: Num) -> Num {
        match &self.cell {
            Cell::I32(a) => Num::F(f64::from(a.fetch_add(n.as_i64() as i32, Ordering::SeqCst))),
            Cell::U32(a) => Num::F(f64::from(a.fetch_add(n.as_i64() as u32, Ordering::SeqCst))),
            Cell::I64(a) => Num::I(a.fetch_add(n.as_i64(), Ordering::SeqCst)),
            Cell::F64(a) => {
                let d = n.as_f64();
                let prev = a
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |bits| {
                        Some((f64::from_bits(bits) + d).to_bits())
                    })
                    .unwrap_or_else(|bits| bits);
                Num::F(f64::from_bits(prev))
            }
        }
    }

    /// Atomic compare-and-swap; returns the previous value (equal to `expected`
    /// when the swap happened).
    pub fn compare_exchange(&self, expected: Num, replacement: Num) -> Num {
        match &self.cell {
            Cell::I32(a) => {
                let r = a.compare_exchange(
                    expected.as_i64() as i32,
                    replacement.as_i64() as i32,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                Num::F(f64::from(r.unwrap_or_else(|x| x)))
            }
            Cell::U32(a) => {
                let r = a.compare_exchange(
                    expected.as_i64() as u32,
                    replacement.as_i64() as u32,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                Num::F(f64::from(r.unwrap_or_else(|x| x)))
            }
            Cell::I64(a) => {
                let r = a.compare_exchange(
                    expected.as_i64(),
                    replacement.as_i64(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                Num::I(r.unwrap_or_else(|x| x))
            }
            Cell::F64(a) => {
                let r = a.compare_exchange(
                    expected.as_f64().to_bits(),
                    replacement.as_f64().to_bits(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                Num::F(f64::from_bits(r.unwrap_or_else(|x| x)))
            }
        }
    }
}
