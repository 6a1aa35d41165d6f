/**
 * Value: one number shared by every thread, the stand-in for a Python global.
 * `.value` is a plain load/store, racy on purpose (the seed's race); `add` and
 * `compareExchange` are atomic.
 */
import { backend } from './backend/select.js';
import type { Handle, ValueType, ValueView } from './backend/types.js';
import { viewAdd, viewCompareExchange, viewGet, viewSet } from './backend/value-view.js';
import { brand, handleOf, kHandle, registerKind, track } from './handles.js';
import { checkArity, typeError } from './validate.js';

const types: readonly ValueType[] = ['i32', 'u32', 'i64', 'f64'];

const ranges: Record<Exclude<ValueType, 'f64'>, readonly [bigint, bigint]> = {
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Checks that `v` fits a cell of `type`: a bigint for i64, an integer in range for i32/u32, any number for f64. */
function checkCell(type: ValueType, v: unknown, name: string): number | bigint {
  // The common cases in a few instructions, and the rest in another function:
  // whole, this one was too large for V8 to inline into a setter in a hot loop,
  // which then paid a call per store.
  if (typeof v === 'number') {
    if (type === 'f64' || (type === 'i32' && (v | 0) === v) || (type === 'u32' && v >>> 0 === v)) return v;
  }
  return checkCellRest(type, v, name);
}

function checkCellRest(type: ValueType, v: unknown, name: string): number | bigint {
  if (type === 'i64') {
    if (typeof v !== 'bigint') throw typeError(name, "a bigint (the Value's type is i64)", v);
    const [min, max] = ranges.i64;
    if (v < min || v > max) throw new RangeError(`${name} is out of range for i64: ${v}`);
    return v;
  }
  if (typeof v !== 'number') throw typeError(name, `a number (the Value's type is ${type})`, v);
  if (type === 'f64') return v;
  if (!Number.isInteger(v)) throw new RangeError(`${name} must be an integer for ${type}, got ${v}`);
  const [min, max] = ranges[type];
  if (v < Number(min) || v > Number(max)) throw new RangeError(`${name} is out of range for ${type}: ${v}`);
  return v;
}

/** The Value's memory, when JS can reach it: `.value` and friends then skip the backend call. */
const kView: unique symbol = Symbol('native-threads.valueView');

function attach(value: Value<number | bigint>, h: Handle): void {
  Object.defineProperty(value, kHandle, { value: h });
  Object.defineProperty(value, kView, { value: backend.valueView(h) });
}

export class Value<T extends number | bigint = number> {
  declare readonly [kHandle]: Handle;
  declare readonly [kView]: ValueView | undefined;

  constructor(type: ValueType = 'f64', initial?: T) {
    checkArity(arguments.length, 2, 'new Value()');
    if (!types.includes(type)) {
      throw typeError('type', `one of ${types.map((t) => `'${t}'`).join(', ')}`, type);
    }
    const start = checkCell(type, initial === undefined ? (type === 'i64' ? 0n : 0) : initial, 'initial');
    attach(this, backend.valueNew(type, start));
    track(this);
  }

  get type(): ValueType {
    return this[kView]?.type ?? backend.valueType(handleOf(this, Value));
  }

  /** A plain load: racy under concurrent writes, like a Python global. */
  get value(): T {
    const view = this[kView];
    if (view !== undefined) return viewGet(view) as T;
    return backend.valueGet(handleOf(this, Value)) as T;
  }

  /** A plain store. */
  set value(v: T) {
    const view = this[kView];
    if (view !== undefined) {
      viewSet(view, checkCell(view.type, v, 'value'));
      return;
    }
    backend.valueSet(handleOf(this, Value), checkCell(this.type, v, 'value'));
  }

  /** Atomically adds `n`; returns the previous value. Integer types wrap, as Atomics.add does. */
  add(n: T): T {
    checkArity(arguments.length, 1, 'add');
    const type = this.type;
    if (type === 'i64' ? typeof n !== 'bigint' : typeof n !== 'number') {
      throw typeError('n', type === 'i64' ? 'a bigint' : 'a number', n);
    }
    if (type !== 'f64' && type !== 'i64' && !Number.isInteger(n)) throw new RangeError(`n must be an integer for ${type}, got ${n}`);
    const view = this[kView];
    return (view !== undefined ? viewAdd(view, n) : backend.valueAdd(handleOf(this, Value), n)) as T;
  }

  /** Atomically stores `replacement` if the value is `expected`; returns the previous value. */
  compareExchange(expected: T, replacement: T): T {
    checkArity(arguments.length, 2, 'compareExchange');
    const type = this.type;
    if (type === 'i64' ? typeof expected !== 'bigint' : typeof expected !== 'number') {
      throw typeError('expected', type === 'i64' ? 'a bigint' : 'a number', expected);
    }
    const next = checkCell(type, replacement, 'replacement');
    const view = this[kView];
    return (view !== undefined
      ? viewCompareExchange(view, expected, next)
      : backend.valueCompareExchange(handleOf(this, Value), expected, next)) as T;
  }

  get [Symbol.toStringTag](): string {
    return `Value ${this.type}`;
  }
}

brand(Value);

registerKind('value', (h) => {
  const value = Object.create(Value.prototype) as Value;
  attach(value, h);
  return value;
});
