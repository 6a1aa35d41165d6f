/**
 * Event: Python's `threading.Event`, a flag threads can wait for.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { brand, handleOf, kHandle, registerKind, track } from './handles.js';
import { blocking } from './output.js';
import { checkArity, checkTimeout } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

export class Event {
  declare readonly [kHandle]: Handle;

  constructor() {
    checkArity(arguments, 0, 'new Event()');
    Object.defineProperty(this, kHandle, { value: backend.eventNew() });
    track(this);
  }

  isSet(): boolean {
    return backend.eventIsSet(handleOf(this, Event));
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    checkArity(arguments, 0, 'set');
    backend.eventSet(handleOf(this, Event));
  }

  clear(): void {
    checkArity(arguments, 0, 'clear');
    backend.eventClear(handleOf(this, Event));
  }

  /** Blocks until the flag is set (true), or `timeout` ms pass (false). */
  wait(timeout?: number): boolean {
    checkArity(arguments, 1, 'wait');
    const ms = checkTimeout(timeout, 'timeout');
    const h = handleOf(this, Event);
    return backend.eventWait(h, 0) || (ms !== 0 && blocking(() => backend.eventWait(h, ms)));
  }

  /** The async twin of `wait`: resolves true once set, false on timeout. */
  waitAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments, 1, 'waitAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, Event);
      return untilDone(h, () => backend.eventIsSet(h) || kRetry, opts, () => false);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

brand(Event);

registerKind('event', (h) => {
  const event = Object.create(Event.prototype) as Event;
  Object.defineProperty(event, kHandle, { value: h });
  return event;
});
