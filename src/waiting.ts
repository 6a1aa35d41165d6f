/**
 * The machinery behind every async twin (`acquireAsync`, `getAsync`, ...).
 *
 * An async twin never parks a thread. It loops: read the object's epoch, try the
 * operation without blocking, and if that fails wait (on the event loop) for the
 * epoch to move, the deadline to pass, or the signal to abort. Reading the epoch
 * before trying means a change that lands between the try and the wait is not
 * missed. A failed try changes nothing, so an abort at any point leaves the
 * primitive as if the call had never been made.
 *
 * Backend watches do not keep the event loop alive; a pending async twin must (as
 * a pending timer does), so while any is pending this module holds one ref'd timer.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { checkOptions, checkSignal, checkTimeout, FOREVER } from './validate.js';

let pending = 0;
let keepAlive: NodeJS.Timeout | undefined;

function hold(): void {
  if (pending++ === 0) keepAlive = setInterval(() => {}, 2 ** 30);
}

function unhold(): void {
  if (--pending === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

/** Returned by an attempt that could not complete without blocking. */
export const kRetry: unique symbol = Symbol('retry');

export interface AsyncOptions {
  timeout: number;
  signal: AbortSignal | undefined;
}

/** Validates `{ timeout?, signal? }` (plus `extra` keys the caller reads itself). */
export function asyncOptions(value: unknown, name = 'options', extra: readonly string[] = []): AsyncOptions & { raw: Record<string, unknown> } {
  const raw = checkOptions(value, name, ['timeout', 'signal', ...extra]);
  return {
    timeout: checkTimeout(raw.timeout, `${name}.timeout`),
    signal: checkSignal(raw.signal, `${name}.signal`),
    raw,
  };
}

/** Resolves when `h`'s epoch differs from `seen`, after `ms` (unless FOREVER), or on abort. */
function changed(h: Handle, seen: number, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let watchId = 0;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (watchId !== 0) backend.unwatch(watchId);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    watchId = backend.watch(h, seen, () => {
      watchId = 0;
      done();
    });
    if (watchId === 0) {
      resolve();
      return;
    }
    if (ms !== FOREVER) timer = setTimeout(done, Math.max(1, Math.ceil(ms)));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it returns something other than kRetry, waiting for `h`
 * to change between tries (or `pollMs` at most, for an attempt that also looks
 * for what moves no epoch: a thread that died). On timeout returns
 * `onTimeout()`; on abort rejects with the signal's reason.
 */
export async function untilDone<T>(
  h: Handle,
  attempt: () => T | typeof kRetry,
  options: AsyncOptions,
  onTimeout: () => T,
  pollMs: number = Infinity,
): Promise<T> {
  const { signal, timeout } = options;
  const deadline = timeout === FOREVER ? Infinity : performance.now() + timeout;
  hold();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const seen = backend.epoch(h);
      const result = attempt();
      if (result !== kRetry) return result;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return onTimeout();
      const wait = Math.min(remaining, pollMs);
      await changed(h, seen, wait === Infinity ? FOREVER : wait, signal);
    }
  } finally {
    unhold();
  }
}
