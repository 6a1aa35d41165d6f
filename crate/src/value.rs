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

use crate::sync::Ordering;

use crate::words::Cell;

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

/// One shared number.
///
/// The number lives in a shared cell (`words.rs`), so JS reads and writes
/// `.value` with a typed array over it and no addon call: i32/u32 in the cell's
/// first four bytes, i64/f64 in all eight (f64 as its bits).
pub struct Value {
    ty: ValueType,
    cell: Cell,
}

impl Value {
    /// A new cell holding `initial` converted to `ty`.
    pub fn new(ty: ValueType, initial: Num) -> Value {
        let value = Value {
            ty,
            cell: Cell::new(),
        };
        value.set(initial);
        value
    }

    /// The element type.
    pub fn ty(&self) -> ValueType {
        self.ty
    }

    /// The index of its shared cell (see `words.rs`).
    pub fn cell(&self) -> Option<u32> {
        self.cell.index()
    }

    /// Plain load (racy on purpose; Relaxed pairs with nothing).
    pub fn get(&self) -> Num {
        let bits32 = || self.cell.u32().load(Ordering::Relaxed);
        let bits64 = || self.cell.u64().load(Ordering::Relaxed);
        match self.ty {
            ValueType::I32 => Num::F(f64::from(bits32() as i32)),
            ValueType::U32 => Num::F(f64::from(bits32())),
            ValueType::I64 => Num::I(bits64() as i64),
            ValueType::F64 => Num::F(f64::from_bits(bits64())),
        }
    }

    /// Plain store (racy on purpose; Relaxed pairs with nothing).
    pub fn set(&self, v: Num) {
        match self.ty {
            ValueType::I32 | ValueType::U32 => {
                self.cell.u32().store(v.as_i64() as u32, Ordering::Relaxed)
            }
            ValueType::I64 => self.cell.u64().store(v.as_i64() as u64, Ordering::Relaxed),
            ValueType::F64 => self
                .cell
                .u64()
                .store(v.as_f64().to_bits(), Ordering::Relaxed),
        }
    }

    /// Atomic add (wrapping for integers); returns the previous value.
    pub fn add(&self, n: Num) -> Num {
        match self.ty {
            ValueType::I32 => {
                let prev = self
                    .cell
                    .u32()
                    .fetch_add(n.as_i64() as u32, Ordering::SeqCst);
                Num::F(f64::from(prev as i32))
            }
            ValueType::U32 => {
                let prev = self
                    .cell
                    .u32()
                    .fetch_add(n.as_i64() as u32, Ordering::SeqCst);
                Num::F(f64::from(prev))
            }
            ValueType::I64 => Num::I(
                self.cell
                    .u64()
                    .fetch_add(n.as_i64() as u64, Ordering::SeqCst) as i64,
            ),
            ValueType::F64 => {
                let d = n.as_f64();
                let prev = self
                    .cell
                    .u64()
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
        let cas32 = |e: u32, r: u32| {
            self.cell
                .u32()
                .compare_exchange(e, r, Ordering::SeqCst, Ordering::SeqCst)
                .unwrap_or_else(|x| x)
        };
        let cas64 = |e: u64, r: u64| {
            self.cell
                .u64()
                .compare_exchange(e, r, Ordering::SeqCst, Ordering::SeqCst)
                .unwrap_or_else(|x| x)
        };
        match self.ty {
            ValueType::I32 => {
                let prev = cas32(
                    expected.as_i64() as i32 as u32,
                    replacement.as_i64() as i32 as u32,
                );
                Num::F(f64::from(prev as i32))
            }
            ValueType::U32 => Num::F(f64::from(cas32(
                expected.as_i64() as u32,
                replacement.as_i64() as u32,
            ))),
            ValueType::I64 => {
                Num::I(cas64(expected.as_i64() as u64, replacement.as_i64() as u64) as i64)
            }
            ValueType::F64 => Num::F(f64::from_bits(cas64(
                expected.as_f64().to_bits(),
                replacement.as_f64().to_bits(),
            ))),
        }
    }
}
