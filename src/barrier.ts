/**
 * Barrier: Python's `threading.Barrier`, for `parties` threads to wait for each
 * other. The backend runs CPython's four-state machine (filling, draining,
 * resetting, broken); a wait is an arrival (a ticket) and then a wait for that
 * arrival's release, so an async wait that is aborted can withdraw its arrival.
 */
import { backend } from './backend/select.js';
import { BarrierStatus, type Handle } from './backend/types.js';
import { BrokenBarrierError } from './errors.js';
import { brand, handleOf, kHandle, kTransit, registerKind, track, type Transit } from './handles.js';
import { blocking } from './output.js';
import { checkArity, checkInteger, checkOptions, checkTimeout, FOREVER, type Millis } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

const kDefaultTimeout = Symbol('native-threads.barrier.timeout');

function outcome(result: number): number {
  if (result === BarrierStatus.Broken) throw new BrokenBarrierError();
  return result;
}

export class Barrier {
  declare readonly [kHandle]: Handle;
  declare readonly [kDefaultTimeout]: Millis;

  /**
   * @param parties how many threads must call `wait` (≥ 1).
   * @param options.timeout the default timeout (ms) of `wait`.
   */
  constructor(parties: number, options?: { timeout?: number }) {
    checkArity(arguments.length, 2, 'new Barrier()');
    checkInteger(parties, 'parties', 1, 2 ** 31 - 1);
    const raw = checkOptions(options, 'options', ['timeout']);
    Object.defineProperty(this, kDefaultTimeout, { value: checkTimeout(raw.timeout, 'options.timeout') });
    Object.defineProperty(this, kHandle, { value: backend.barrierNew(parties) });
    track(this);
  }

  get [kTransit](): Transit {
    return { tag: String(this[kDefaultTimeout]) };
  }

  get parties(): number {
    return backend.barrierParties(handleOf(this, Barrier));
  }

  /** Threads waiting now. */
  get nWaiting(): number {
    return backend.barrierNWaiting(handleOf(this, Barrier));
  }

  get broken(): boolean {
    return backend.barrierBroken(handleOf(this, Barrier));
  }

  /**
   * Waits until `parties` threads have called `wait`; returns this thread's index
   * (0 for the first to arrive, parties-1 for the last). A timeout breaks the barrier.
   * @throws BrokenBarrierError when the barrier is (or becomes) broken, reset or aborted.
   */
  wait(timeout?: number): number {
    checkArity(arguments.length, 1, 'wait');
    const h = handleOf(this, Barrier);
    const ms = timeout === undefined ? this[kDefaultTimeout] : checkTimeout(timeout, 'timeout');
    let ticket = backend.barrierArrive(h, 0);
    if (ticket === BarrierStatus.Waiting) ticket = blocking(() => backend.barrierArrive(h, FOREVER));
    outcome(ticket);
    let result = backend.barrierWait(h, ticket, 0);
    if (result === BarrierStatus.Waiting) {
      if (ms === 0) {
        backend.barrierAbort(h); // Python: a wait that times out breaks the barrier
        result = backend.barrierWait(h, ticket, 0);
      } else {
        result = blocking(() => backend.barrierWait(h, ticket, ms));
      }
    }
    return outcome(result);
  }

  /**
   * The async twin of `wait`. Aborted before its release, the wait is withdrawn
   * as if it had never been made; a timeout breaks the barrier, as `wait`'s does.
   */
  async waitAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<number> {
    checkArity(arguments.length, 1, 'waitAsync');
    const opts = asyncOptions(options);
    const timeout = options?.timeout === undefined ? this[kDefaultTimeout] : opts.timeout;
    const h = handleOf(this, Barrier);
    const deadline = timeout === FOREVER ? Infinity : performance.now() + timeout;
    const ticket = outcome(
      await untilDone(
        h,
        () => {
          const t = backend.barrierArrive(h, 0);
          return t === BarrierStatus.Waiting ? kRetry : t;
        },
        { timeout: FOREVER, signal: opts.signal },
        () => BarrierStatus.Broken,
      ),
    );
    const left = deadline === Infinity ? FOREVER : Math.max(0, deadline - performance.now());
    let result: number;
    try {
      result = await untilDone(
        h,
        () => {
          const r = backend.barrierWait(h, ticket, 0);
          return r === BarrierStatus.Waiting ? kRetry : r;
        },
        { timeout: left, signal: opts.signal },
        () => {
          backend.barrierAbort(h);
          return backend.barrierWait(h, ticket, 0);
        },
      );
    } catch (reason) {
      const index = backend.barrierCancel(h, ticket);
      if (index >= 0) return index; // released before the abort landed
      throw reason;
    }
    return outcome(result);
  }

  /** Back to the empty state; threads waiting now get BrokenBarrierError. */
  reset(): void {
    checkArity(arguments.length, 0, 'reset');
    backend.barrierReset(handleOf(this, Barrier));
  }

  /** Breaks the barrier: every wait, now and until `reset()`, throws BrokenBarrierError. */
  abort(): void {
    checkArity(arguments.length, 0, 'abort');
    backend.barrierAbort(handleOf(this, Barrier));
  }
}

brand(Barrier);

registerKind('barrier', (h, tag) => {
  const barrier = Object.create(Barrier.prototype) as Barrier;
  Object.defineProperty(barrier, kHandle, { value: h });
  const timeout = Number(tag);
  Object.defineProperty(barrier, kDefaultTimeout, { value: Number.isFinite(timeout) ? timeout : FOREVER });
  return barrier;
});
