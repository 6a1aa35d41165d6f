/**
 * `hold()` and `with()` for every acquirable primitive: the `with lock:` of Python.
 */
import { ThreadError } from './errors.js';

export interface Acquirable {
  acquire(options?: { blocking?: boolean; timeout?: number }): boolean;
  release(): void;
}

/** Releases what `hold()` acquired, once, on `release()` or `[Symbol.dispose]()`. */
export class Guard implements Disposable {
  #target: Acquirable | undefined;

  constructor(target: Acquirable) {
    this.#target = target;
  }

  release(): void {
    const target = this.#target;
    if (target === undefined) return;
    this.#target = undefined;
    target.release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

export function holdGuard(target: Acquirable, options: { blocking?: boolean; timeout?: number } | undefined): Guard {
  if (!target.acquire(options)) {
    throw new ThreadError(`could not acquire the ${target.constructor.name} (${options?.blocking === false ? 'non-blocking' : 'timed out'})`);
  }
  return new Guard(target);
}

/** Runs `fn` holding `target`; releases when `fn` returns, throws, or its Promise settles. */
export function withHeld<T>(target: Acquirable, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  target.acquire();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    target.release();
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => target.release()) as T;
  }
  target.release();
  return result;
}
