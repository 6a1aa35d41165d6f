/**
 * Event: Python's `threading.Event`, a flag threads can wait for.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { attachWord, brand, handleOf, kHandle, kIndex, kWords, registerKind, track } from './handles.js';
import { blocking } from './output.js';
import { checkArity, checkTimeout } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

// With the event's state word (handles.ts, kWords), isSet() is a load, clear()
// and a set() that nobody waits for are a compare-exchange, and wait() spins on
// the word briefly before it blocks in the backend (a set from a running thread
// is seen within microseconds).

/**
 * Reads of the word before a blocking wait calls the backend: 10–20 µs here, the
 * span of a set from another running thread on this VM (200 reads caught almost
 * none; a futex wake-up costs 10–50 µs).
 */
const SPIN = 2000;

function attach(event: Event, h: Handle): void {
  attachWord(event, h, backend.eventWord(h));
}

export class Event {
  declare readonly [kHandle]: Handle;
  declare readonly [kWords]: Int32Array | undefined;
  declare readonly [kIndex]: number;

  constructor() {
    checkArity(arguments.length, 0, 'new Event()');
    attach(this, backend.eventNew());
    track(this);
  }

  isSet(): boolean {
    const words = this[kWords];
    if (words !== undefined) return (Atomics.load(words, this[kIndex]) & 1) !== 0;
    return backend.eventIsSet(handleOf(this, Event));
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    checkArity(arguments.length, 0, 'set');
    const h = handleOf(this, Event);
    const words = this[kWords];
    if (words === undefined || !backend.eventWordSet(words, this[kIndex])) backend.eventSet(h);
  }

  clear(): void {
    checkArity(arguments.length, 0, 'clear');
    const h = handleOf(this, Event);
    const words = this[kWords];
    if (words === undefined) backend.eventClear(h);
    else backend.eventWordClear(words, this[kIndex]);
  }

  /** Blocks until the flag is set (true), or `timeout` ms pass (false). */
  wait(timeout?: number): boolean {
    checkArity(arguments.length, 1, 'wait');
    const ms = checkTimeout(timeout, 'timeout');
    const h = handleOf(this, Event);
    const words = this[kWords];
    if (words === undefined) return backend.eventWait(h, 0) || (ms !== 0 && blocking(() => backend.eventWait(h, ms)));
    const index = this[kIndex];
    const seen = Atomics.load(words, index);
    if ((seen & 1) !== 0) return true;
    if (ms === 0) return backend.eventWaitSince(h, seen, 0);
    for (let spin = 0; spin < SPIN; spin++) if ((Atomics.load(words, index) & 1) !== 0) return true;
    // A set (even one cleared again) since `seen` still counts, as in CPython.
    return blocking(() => backend.eventWaitSince(h, seen, ms));
  }

  /** The async twin of `wait`: resolves true once set, false on timeout. */
  waitAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments.length, 1, 'waitAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, Event);
      const attempt = (): boolean | typeof kRetry => {
        if (backend.eventIsSet(h)) return true;
        // Marked before the second look: a set after it moves the epoch untilDone watches.
        backend.eventMarkWatched(h);
        return backend.eventIsSet(h) || kRetry;
      };
      return untilDone(h, attempt, opts, () => false);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

brand(Event);

registerKind('event', (h) => {
  const event = Object.create(Event.prototype) as Event;
  attach(event, h);
  return event;
});
