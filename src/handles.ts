/**
 * Handle wrappers: the JS objects (Lock, Queue, Value, Thread) that stand for a
 * backend object named by a handle id.
 *
 * Invariant: in each isolate there is at most one live wrapper per id, and it
 * owns exactly one backend reference, dropped by a FinalizationRegistry when the
 * wrapper is collected. So a handle that comes back to an isolate that already
 * has its wrapper yields that same object, and the backend object lives exactly
 * as long as some isolate (or some item in transit) can still reach it.
 */
import { backend } from './backend/select.js';
import type { Handle, ObjectKind, WordRef } from './backend/types.js';

export const kHandle: unique symbol = Symbol('native-threads.handle');
/**
 * A wrapper's state word in shared memory and its index (Lock, Event), when the
 * backend lets JS reach it: the wrapper's fast paths read and CAS it directly.
 */
export const kWords: unique symbol = Symbol('native-threads.words');
export const kIndex: unique symbol = Symbol('native-threads.wordIndex');

/** Gives a new wrapper its handle and, when there is one, its shared word (kWords undefined otherwise). */
export function attachWord(wrapper: object, h: Handle, word: WordRef | undefined): void {
  Object.defineProperty(wrapper, kHandle, { value: h });
  Object.defineProperty(wrapper, kWords, { value: word?.words });
  Object.defineProperty(wrapper, kIndex, { value: word?.index ?? 0 });
}

/** Optional: what besides its handle a wrapper needs to be rebuilt in another thread. */
export const kTransit: unique symbol = Symbol('native-threads.transit');

/**
 * A wrapper's travel papers: `tag` names its class where one kind has several
 * (LifoQueue and Queue are both queues); `parts` are wrappers it is built on (a
 * Condition's lock), which travel with it as handles of their own.
 */
export interface Transit {
  tag?: string;
  parts?: HandleObject[];
}

export interface HandleObject {
  readonly [kHandle]: Handle;
  readonly [kTransit]?: Transit;
}

/** Builds a wrapper for an existing object of one kind, without running its constructor. */
type Reviver = (h: Handle, tag: string | undefined, parts: HandleObject[]) => HandleObject;

const revivers = new Map<ObjectKind, Reviver>();
const wrappers = new Map<Handle, WeakRef<HandleObject>>();
const finalizer = new FinalizationRegistry<Handle>((h) => {
  // A newer wrapper may already stand for this id (revived after this one died).
  if (wrappers.get(h)?.deref() === undefined) wrappers.delete(h);
  backend.release(h);
});

export function registerKind(kind: ObjectKind, revive: Reviver): void {
  revivers.set(kind, revive);
}

/** Records a freshly constructed wrapper, which owns the reference its `...New` call returned. */
export function track(wrapper: HandleObject): void {
  const h = wrapper[kHandle];
  wrappers.set(h, new WeakRef(wrapper));
  finalizer.register(wrapper, h);
}

/** Marks wrapper classes, so that one made without its constructor (no handle) is recognised. */
export const kWrapper: unique symbol = Symbol('native-threads.wrapper');

/**
 * What a wrong receiver's TypeError calls a class, set (own, not inherited) on a
 * base class whose name would mean nothing to a user: QueueBase is "a queue".
 */
export const kClassLabel: unique symbol = Symbol('native-threads.classLabel');

/** A wrapper class, whatever its constructor takes (protected ones too). */
type WrapperClass = { readonly prototype: object; readonly name: string; readonly [kClassLabel]?: string };

/** Brands wrapper classes (see kWrapper). */
export function brand(...classes: WrapperClass[]): void {
  for (const Class of classes) Object.defineProperty(Class.prototype, kWrapper, { value: Class.name });
}

/** The handle of `self`, an instance of `Class`; a TypeError for any other receiver (or a forged one). */
export function handleOf(self: unknown, Class: WrapperClass): Handle {
  // `instanceof` walks the same prototype chain as Class.prototype.isPrototypeOf,
  // at a third of the cost in V8 (~5 against ~15 ns), on every method call. Our
  // classes define no Symbol.hasInstance, and a receiver without the handle
  // symbol fails below either way.
  const h = self instanceof (Class as unknown as abstract new () => object)
    ? (self as Partial<HandleObject>)[kHandle]
    : undefined;
  if (typeof h !== 'number') {
    const label = Object.hasOwn(Class, kClassLabel) ? Class[kClassLabel] : Class.name;
    throw new TypeError(`this must be a ${label}: a ${label} method was called on another object`);
  }
  return h;
}

/** Throws when `value` looks like a wrapper but has no handle (made with Object.create, say). */
export function checkNotForged(value: object, param: string): void {
  const className = (value as { [kWrapper]?: string })[kWrapper];
  if (className !== undefined && !isHandleObject(value)) {
    throw new TypeError(`${param} holds a ${className} without a handle (not made by its constructor): it cannot cross threads`);
  }
}

export function isHandleObject(value: unknown): value is HandleObject {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, kHandle);
}

/**
 * This isolate's wrapper for `h`. `owned`: the caller hands over one reference
 * (an item in transit); otherwise the wrapper takes a new one if it must be made.
 */
export function wrapperFor(h: Handle, owned: boolean, tag?: string, parts: HandleObject[] = []): HandleObject {
  const existing = wrappers.get(h)?.deref();
  if (existing !== undefined) {
    if (owned) backend.release(h);
    return existing;
  }
  const kind = backend.kindOf(h);
  const revive = kind === undefined ? undefined : revivers.get(kind);
  if (revive === undefined) {
    if (owned) backend.release(h);
    throw new TypeError(`invalid handle ${h}: no live object of a known kind`);
  }
  if (!owned) backend.retain(h);
  const wrapper = revive(h, tag, parts);
  track(wrapper);
  return wrapper;
}
