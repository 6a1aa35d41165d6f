/**
 * Bad input to every public function and constructor built so far: each case
 * must throw the named error class with the parameter in its message, and leave
 * the primitives as they were.
 */
import { describe, expect, test } from 'vitest';
import { Lock, Queue, Thread, Value, native, prestart, print, sleep, spawn } from 'native-threads';
import { requestedBackend } from './helpers.js';

type Case = [name: string, call: () => unknown, error: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, mentions: RegExp];

const lock = new Lock();
const queue = new Queue<number>(2);
const value = new Value('i32', 7);
const unstarted = new Thread({ target: () => 1 });
const notAFunction = 5 as never;

const cases: Case[] = [
  // Lock
  ['new Lock(extra)', () => new (Lock as unknown as new (x: number) => Lock)(1), TypeError, /at most 0/],
  ['acquire(non-object)', () => lock.acquire(true as never), TypeError, /options/],
  ['acquire({ timeout: string })', () => lock.acquire({ timeout: '1' as never }), TypeError, /timeout/],
  ['acquire({ timeout: NaN })', () => lock.acquire({ timeout: NaN }), RangeError, /timeout/],
  ['acquire({ timeout: -0.5 })', () => lock.acquire({ timeout: -0.5 }), RangeError, /timeout/],
  ['acquire({ blocking: 1 })', () => lock.acquire({ blocking: 1 as never }), TypeError, /blocking/],
  ['acquire({ blocking: false, timeout })', () => lock.acquire({ blocking: false, timeout: 1 }), TypeError, /timeout/],
  ['acquire({ unknown })', () => lock.acquire({ wait: 1 } as never), TypeError, /wait/],
  ['acquire(a, b)', () => (lock.acquire as (a: unknown, b: unknown) => boolean)({}, {}), TypeError, /at most 1/],
  ['release() of an unlocked lock', () => lock.release(), Error, /unlocked/],
  ['hold({ timeout: {} })', () => lock.hold({ timeout: {} as never }), TypeError, /timeout/],
  ['with(non-function)', () => lock.with(notAFunction), TypeError, /fn/],
  ['Lock method on another object', () => Lock.prototype.acquire.call({}), TypeError, /Lock/],
  ['Lock method on a forged object', () => Object.create(Lock.prototype).locked(), TypeError, /Lock/],
  // Value
  ['new Value(unknown type)', () => new Value('int' as never), TypeError, /type/],
  ['new Value(type: number)', () => new Value(32 as never), TypeError, /type/],
  ['new Value(i32, string)', () => new Value('i32', '1' as never), TypeError, /initial/],
  ['new Value(i32, fraction)', () => new Value('i32', 0.5), RangeError, /initial/],
  ['new Value(u32, negative)', () => new Value('u32', -1), RangeError, /initial/],
  ['new Value(i64, number)', () => new Value('i64', 1 as never), TypeError, /initial/],
  ['new Value(f64, bigint)', () => new Value('f64', 1n as never), TypeError, /initial/],
  ['value = string', () => { value.value = 'x' as never; }, TypeError, /value/],
  ['value = fraction (i32)', () => { value.value = 1.25; }, RangeError, /value/],
  ['add(string)', () => value.add('1' as never), TypeError, /\bn\b/],
  ['compareExchange(bad expected)', () => value.compareExchange('7' as never, 8), TypeError, /expected/],
  ['compareExchange(bad replacement)', () => value.compareExchange(7, 2 ** 40), RangeError, /replacement/],
  ['Value method on another object', () => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(value), 'value')?.get?.call({}), TypeError, /Value/],
  // Queue
  ['new Queue(string)', () => new Queue('1' as never), TypeError, /maxsize/],
  ['new Queue(-1)', () => new Queue(-1), RangeError, /maxsize/],
  ['new Queue(1.5)', () => new Queue(1.5), RangeError, /maxsize/],
  ['new Queue(Infinity)', () => new Queue(Infinity), RangeError, /maxsize/],
  ['put(function)', () => queue.put((() => 1) as never), TypeError, /item/],
  ['put(symbol)', () => queue.put(Symbol('s') as never), TypeError, /item/],
  ['put(object with a function)', () => queue.put({ f: () => 1 } as never), TypeError, /item/],
  ['put(WeakMap)', () => queue.put(new WeakMap() as never), TypeError, /item/],
  ['put(x, { timeout: -2 })', () => queue.put(1, { timeout: -2 }), RangeError, /timeout/],
  ['put(x, { block: "no" })', () => queue.put(1, { block: 'no' as never }), TypeError, /block/],
  ['put(x, { block: false, timeout })', () => queue.put(1, { block: false, timeout: 3 }), TypeError, /timeout/],
  ['get({ timeout: null })', () => queue.get({ timeout: null as never }), TypeError, /timeout/],
  ['get(number)', () => queue.get(5 as never), TypeError, /options/],
  ['putNowait(a, b)', () => (queue.putNowait as (a: unknown, b: unknown) => void)(1, 2), TypeError, /at most 1/],
  ['taskDone() with no task', () => queue.taskDone(), RangeError, /taskDone/],
  ['shutdown(non-boolean)', () => queue.shutdown(1 as never), TypeError, /immediate/],
  ['Queue method on a Lock', () => Queue.prototype.qsize.call(lock), TypeError, /handle|Queue/],
  // Threads
  ['new Thread()', () => new Thread(undefined as never), TypeError, /options|target/],
  ['new Thread({ target: number })', () => new Thread({ target: notAFunction }), TypeError, /target/],
  ['new Thread({ target: native function })', () => new Thread({ target: Math.max }), TypeError, /target/],
  ['new Thread({ target: { module: 5 } })', () => new Thread({ target: { module: 5 as never } }), TypeError, /module/],
  ['new Thread({ target: { module, export: 5 } })', () => new Thread({ target: { module: 'x.mjs', export: 5 as never } }), TypeError, /export/],
  ['new Thread({ args: not an array })', () => new Thread({ target: () => 1, args: {} as never }), TypeError, /args/],
  ['new Thread({ name: number })', () => new Thread({ target: () => 1, name: 1 as never }), TypeError, /name/],
  ['new Thread({ daemon: string })', () => new Thread({ target: () => 1, daemon: 'true' as never }), TypeError, /daemon/],
  ['new Thread({ unknown })', () => new Thread({ target: () => 1, priority: 1 } as never), TypeError, /priority/],
  ['spawn(non-function)', () => spawn(notAFunction), TypeError, /target/],
  ['spawn with args that cannot be cloned', () => spawn((x: unknown) => x, () => 1), TypeError, /args/],
  ['start() with a missing module', () => new Thread({ target: { module: './no/such/file.mjs' } }).start(), TypeError, /no such file/],
  ['join() before start', () => unstarted.join(), Error, /before it is started/],
  ['join(string)', () => unstarted.join('1' as never), TypeError, /timeout/],
  ['name = number', () => { unstarted.name = 5 as never; }, TypeError, /name/],
  ['daemon = string', () => { unstarted.daemon = 'yes' as never; }, TypeError, /daemon/],
  // Output and time
  ['sleep()', () => sleep(undefined as never), TypeError, /ms/],
  ['sleep(string)', () => sleep('10' as never), TypeError, /ms/],
  ['sleep(-1)', () => sleep(-1), RangeError, /ms/],
  ['sleep(NaN)', () => sleep(NaN), RangeError, /ms/],
  ['sleep(a, b)', () => (sleep as (a: number, b: number) => void)(1, 2), TypeError, /1 argument/],
];

describe('bad input', () => {
  test.each(cases)('%s throws the right error, naming the parameter', (_name, call, error, mentions) => {
    let thrown: unknown;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(mentions);
  });

  test('after all of it, every primitive is unchanged', () => {
    expect(lock.locked()).toBe(false);
    expect(queue.qsize()).toBe(0);
    expect(value.value).toBe(7);
    expect(unstarted.isAlive()).toBe(false);
    expect(unstarted.name).toMatch(/^Thread-\d+$/);
    expect(unstarted.daemon).toBe(false);
  });

  test('async twins reject (never throw synchronously) on bad input', async () => {
    await expect(lock.acquireAsync({ timeout: NaN })).rejects.toThrow(RangeError);
    await expect(queue.getAsync({ signal: {} as never })).rejects.toThrow(/signal/);
    await expect(queue.putAsync((() => 1) as never)).rejects.toThrow(/item/);
    await expect(queue.joinAsync(5 as never)).rejects.toThrow(TypeError);
    await expect(unstarted.joinAsync()).rejects.toThrow(/before it is started/);
    await expect(prestart(-1)).rejects.toThrow(RangeError);
    await expect(prestart('2' as never)).rejects.toThrow(/\bn\b/);
  });

  test('print takes anything printable without throwing', () => {
    expect(() => print()).not.toThrow();
  });

  test.skipIf(requestedBackend !== 'native')('native kernels check their arguments', () => {
    expect(() => native.seedRace(1 as never)).toThrow(TypeError);
    expect(() => native.seedQueue(2, -1)).toThrow(RangeError);
  });
});
