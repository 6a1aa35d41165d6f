/**
 * Loads, stores and atomic updates of a Value through its ValueView (types.ts):
 * the js backend's Value is made of these, and the front end uses them on
 * either backend to skip the backend call (a native call costs ~200 ns, a
 * typed-array load ~1 ns).
 *
 * There is no atomic f64 in JS, so f64 add/compareExchange are a compare-exchange
 * on the bits through the i64 view; compareExchange compares bit patterns (NaN
 * matches the same NaN, 0 does not match -0), as the crate's CAS on an AtomicU64
 * holding the bits does.
 */
import type { ValueView } from './types.js';

/** Scratch for converting between an f64 and its bits (one per isolate). */
const bitsF64 = new Float64Array(1);
const bitsI64 = new BigInt64Array(bitsF64.buffer);

function toBits(x: number): bigint {
  bitsF64[0] = x;
  return bitsI64[0];
}

function fromBits(b: bigint): number {
  bitsI64[0] = b;
  return bitsF64[0];
}

/** A plain load (racy under concurrent writes, on purpose). */
export function viewGet(v: ValueView): number | bigint {
  switch (v.type) {
    case 'i32':
      return v.i32[v.index32];
    case 'u32':
      return v.u32[v.index32];
    case 'i64':
      return v.i64[v.index64];
    default:
      return v.f64[v.index64];
  }
}

/** A plain store of a value already checked for the type. */
export function viewSet(v: ValueView, x: number | bigint): void {
  switch (v.type) {
    case 'i32':
      v.i32[v.index32] = Number(x);
      return;
    case 'u32':
      v.u32[v.index32] = Number(x);
      return;
    case 'i64':
      v.i64[v.index64] = BigInt(x);
      return;
    default:
      v.f64[v.index64] = Number(x);
  }
}

/** Atomic add (integers wrap); returns the previous value. */
export function viewAdd(v: ValueView, n: number | bigint): number | bigint {
  switch (v.type) {
    case 'i32':
      return Atomics.add(v.i32, v.index32, Number(n));
    case 'u32':
      return Atomics.add(v.u32, v.index32, Number(n));
    case 'i64':
      return Atomics.add(v.i64, v.index64, BigInt(n));
    default: {
      const d = Number(n);
      for (;;) {
        const old = Atomics.load(v.i64, v.index64);
        const prev = fromBits(old);
        if (Atomics.compareExchange(v.i64, v.index64, old, toBits(prev + d)) === old) return prev;
      }
    }
  }
}

/** Atomic compare-and-swap; returns the previous value. */
export function viewCompareExchange(v: ValueView, expected: number | bigint, replacement: number | bigint): number | bigint {
  switch (v.type) {
    case 'i32':
      return Atomics.compareExchange(v.i32, v.index32, Number(expected), Number(replacement));
    case 'u32':
      return Atomics.compareExchange(v.u32, v.index32, Number(expected), Number(replacement));
    case 'i64':
      return Atomics.compareExchange(v.i64, v.index64, BigInt(expected), BigInt(replacement));
    default:
      return fromBits(Atomics.compareExchange(v.i64, v.index64, toBits(Number(expected)), toBits(Number(replacement))));
  }
}
