/**
 * Value: one shared number (i32, u32, i64 or f64) in an 8-byte slot.
 *
 * get/set are plain typed-array loads and stores (racy on purpose, like a Python
 * global); add and compareExchange are atomic and return the previous value. All
 * four go through the slot's ValueView (../value-view.ts), which the front end
 * also uses directly.
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
import type { ValueType, ValueView } from '../types.js';
import { WAITERS } from './notify.js';
import { viewAdd, viewCompareExchange, viewGet, viewSet } from '../value-view.js';
import { KIND_VALUE, register, resolve } from './registry.js';

const TYPE = 2;
const SLOT_BYTES = 16;
const T_I32 = 1;
const T_U32 = 2;
const T_I64 = 3;
const T_F64 = 4;
const TYPE_NAMES: readonly ValueType[] = ['i32', 'i32', 'u32', 'i64', 'f64'];

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
  return viewGet(valueView(a, h));
}

export function valueSet(a: Arena, h: number, v: number | bigint): void {
  viewSet(valueView(a, h), v);
}

export function valueAdd(a: Arena, h: number, n: number | bigint): number | bigint {
  return viewAdd(valueView(a, h), n);
}

export function valueCompareExchange(
  a: Arena,
  h: number,
  expected: number | bigint,
  replacement: number | bigint,
): number | bigint {
  return viewCompareExchange(valueView(a, h), expected, replacement);
}

/** The value's memory, for the front end's loads and stores without a backend call. */
export function valueView(a: Arena, h: number): ValueView {
  const off = resolve(a, h, KIND_VALUE);
  const slot = off + SLOT_BYTES;
  return {
    type: TYPE_NAMES[a.i32[(off >> 2) + TYPE]],
    i32: a.i32,
    u32: a.u32,
    f64: a.f64,
    i64: a.i64,
    index32: slot >> 2,
    index64: slot >> 3,
  };
}
