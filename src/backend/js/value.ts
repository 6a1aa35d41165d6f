/**
 * Value: one shared number (i32, u32, i64 or f64) in an 8-byte slot.
 *
 * get/set are plain typed-array loads and stores (racy on purpose, like a Python
 * global); add and compareExchange are atomic and return the previous value. There
 * is no atomic f64 in JS, so f64 add/compareExchange are a compare-exchange loop on
 * the slot's bit pattern through the BigInt64Array view; compareExchange compares
 * bit patterns (so NaN matches the same NaN, and 0 does not match -0), as a CAS on
 * an AtomicU64 holding the f64 bits does.
 *
 * Layout:
 *
 * | offset | name    | meaning                                                 |
 * |--------|---------|---------------------------------------------------------|
 * | 0      | EPOCH   | notify.ts; a Value never bumps it (nothing waits on it)  |
 * | 4      | WAITERS | notify.ts                                               |
 * | 8      | TYPE    | T_I32, T_U32, T_I64 or T_F64; fixed at creation         |
 * | 12     | -       | padding, so SLOT is 8-aligned                           |
 * | 16     | SLOT    | the value: i32/u32 in its first 4 bytes, i64/f64 in 8   |
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import type { ValueType } from '../types.js';
import { WAITERS } from './notify.js';
import { KIND_VALUE, register, resolve } from './registry.js';

const TYPE = 2;
const SLOT_BYTES = 16;
const T_I32 = 1;
const T_U32 = 2;
const T_I64 = 3;
const T_F64 = 4;
const TYPE_NAMES: readonly ValueType[] = ['i32', 'i32', 'u32', 'i64', 'f64'];

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

function typeCode(type: ValueType): number {
  switch (type) {
    case 'i32':
      return T_I32;
    case 'u32':
      return T_U32;
    case 'i64':
      return T_I64;
    case 'f64':
      return T_F64;
  }
}

export function valueNew(a: Arena, type: ValueType, initial: number | bigint): number {
  const off = a.alloc(OBJECT_BYTES);
  const o = off >> 2;
  a.i32[o] = 0;
  a.i32[o + WAITERS] = 0;
  a.i32[o + TYPE] = typeCode(type);
  a.i32[o + 3] = 0;
  a.i64[(off + SLOT_BYTES) >> 3] = 0n;
  const h = register(a, KIND_VALUE, off);
  valueSet(a, h, initial);
  return h;
}

export function valueType(a: Arena, h: number): ValueType {
  const o = resolve(a, h, KIND_VALUE) >> 2;
  return TYPE_NAMES[a.i32[o + TYPE]];
}

export function valueGet(a: Arena, h: number): number | bigint {
  const off = resolve(a, h, KIND_VALUE);
  switch (a.i32[(off >> 2) + TYPE]) {
    case T_I32:
      return a.i32[(off + SLOT_BYTES) >> 2];
    case T_U32:
      return a.u32[(off + SLOT_BYTES) >> 2];
    case T_I64:
      return a.i64[(off + SLOT_BYTES) >> 3];
    default:
      return a.f64[(off + SLOT_BYTES) >> 3];
  }
}

export function valueSet(a: Arena, h: number, v: number | bigint): void {
  const off = resolve(a, h, KIND_VALUE);
  switch (a.i32[(off >> 2) + TYPE]) {
    case T_I32:
      a.i32[(off + SLOT_BYTES) >> 2] = Number(v);
      return;
    case T_U32:
      a.u32[(off + SLOT_BYTES) >> 2] = Number(v);
      return;
    case T_I64:
      a.i64[(off + SLOT_BYTES) >> 3] = BigInt(v);
      return;
    default:
      a.f64[(off + SLOT_BYTES) >> 3] = Number(v);
  }
}

export function valueAdd(a: Arena, h: number, n: number | bigint): number | bigint {
  const off = resolve(a, h, KIND_VALUE);
  switch (a.i32[(off >> 2) + TYPE]) {
    case T_I32:
      return Atomics.add(a.i32, (off + SLOT_BYTES) >> 2, Number(n));
    case T_U32:
      return Atomics.add(a.u32, (off + SLOT_BYTES) >> 2, Number(n));
    case T_I64:
      return Atomics.add(a.i64, (off + SLOT_BYTES) >> 3, BigInt(n));
    default: {
      const i64 = a.i64;
      const idx = (off + SLOT_BYTES) >> 3;
      const d = Number(n);
      for (;;) {
        const old = Atomics.load(i64, idx);
        const prev = fromBits(old);
        if (Atomics.compareExchange(i64, idx, old, toBits(prev + d)) === old) return prev;
      }
    }
  }
}

export function valueCompareExchange(
  a: Arena,
  h: number,
  expected: number | bigint,
  replacement: number | bigint,
): number | bigint {
  const off = resolve(a, h, KIND_VALUE);
  switch (a.i32[(off >> 2) + TYPE]) {
    case T_I32:
      return Atomics.compareExchange(a.i32, (off + SLOT_BYTES) >> 2, Number(expected), Number(replacement));
    case T_U32:
      return Atomics.compareExchange(a.u32, (off + SLOT_BYTES) >> 2, Number(expected), Number(replacement));
    case T_I64:
      return Atomics.compareExchange(a.i64, (off + SLOT_BYTES) >> 3, BigInt(expected), BigInt(replacement));
    default: {
      const idx = (off + SLOT_BYTES) >> 3;
      return fromBits(Atomics.compareExchange(a.i64, idx, toBits(Number(expected)), toBits(Number(replacement))));
    }
  }
}
