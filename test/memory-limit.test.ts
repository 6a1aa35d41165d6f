/**
 * A thread killed by its isolate's memory limit (resourceLimits) ends like one
 * that threw: isAlive() is false, join() and joinAsync() throw a ThreadError
 * naming it, from the main thread (whose event loop a synchronous join blocks)
 * and from another thread; the excepthook hears of it; the pool goes on and the
 * process exits normally. Every join is bounded (10 s): one that hangs returns
 * undefined and fails the test, as does one that returns normally.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Thread, setExcepthook, spawn, type ExceptHookArgs } from 'native-threads';
import { backend } from '../src/backend/select.js';
import { ThreadState } from '../src/backend/types.js';
import { fixture, requestedBackend, runChild } from './helpers.js';

const KILLED = /'hog-\d+' \(ident \d+\) was killed by its memory limit/;
const heard: { name: string; message: string; thread: string }[] = [];

beforeAll(() => {
  setExcepthook(({ error, thread }: ExceptHookArgs) => {
    heard.push({ name: error.name, message: error.message, thread: thread.name });
  });
});
afterAll(() => {
  setExcepthook(null);
});

let hogs = 0;
/** A started thread that allocates until its 16 MB old generation is full. */
function hog(): Thread {
  return new Thread({
    name: `hog-${++hogs}`,
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    target: () => {
      const kept: number[][] = [];
      for (;;) kept.push(new Array<number>(1000).fill(kept.length));
    },
  }).start();
}

function thrownBy(fn: () => unknown): unknown {
  try {
    return { returned: fn() };
  } catch (error) {
    return error;
  }
}

/** Waits (bounded) for the excepthook to have heard of `name`. */
async function reported(name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!heard.some((h) => h.thread === name)) {
    if (Date.now() > deadline) throw new Error(`the excepthook never heard of ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a thread killed by its memory limit', () => {
  test('a synchronous join() from the main thread throws a ThreadError naming it; isAlive() is false', async () => {
    const t = hog();
    const error = thrownBy(() => t.join(10_000));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ThreadError');
    expect((error as Error).message).toMatch(KILLED);
    expect((error as Error).message).toContain(t.name);
    expect(t.isAlive()).toBe(false);
    // Every later join says the same.
    expect(() => t.join()).toThrow(KILLED);
    await reported(t.name);
    expect(heard.find((h) => h.thread === t.name)).toEqual({ name: 'ThreadError', message: expect.stringMatching(KILLED) as unknown, thread: t.name });
  });

  test('joinAsync() rejects with the same ThreadError', async () => {
    const t = hog();
    await expect(t.joinAsync({ timeout: 10_000 })).rejects.toThrow(KILLED);
    expect(t.isAlive()).toBe(false);
    await reported(t.name);
  });

  test('a join from another thread throws it there while the main thread blocks joining that thread', () => {
    const t = hog();
    const joiner = spawn((t: Thread) => {
      try {
        return ['returned', t.join(10_000)];
      } catch (error) {
        return [(error as Error).name, (error as Error).message];
      }
    }, t);
    const [name, message] = joiner.join(15_000) as [string, string];
    expect(name).toBe('ThreadError');
    expect(message).toMatch(KILLED);
    expect(t.isAlive()).toBe(false);
  });

  test('the pool goes on: threads started afterwards (pooled or limited) run', () => {
    const t = hog();
    expect(() => t.join(10_000)).toThrow(KILLED);
    expect(spawn((x: number) => x * 2, 21).join(10_000)).toBe(42);
    const limited = new Thread({ target: (x: number) => x + 1, args: [1], resourceLimits: { maxOldGenerationSizeMb: 16 } });
    expect(limited.start().join(10_000)).toBe(2);
  });

  // The Node-API environment cleanup hooks still run when the heap limit kills an
  // isolate: there the native backend finishes the record, so even a bare backend
  // wait (no look at the OS thread) wakes. The js backend has no such hook.
  test.runIf(requestedBackend === 'native')('native: the record is finished as the isolate is torn down, before anyone looks', () => {
    const t = hog();
    expect(backend.threadJoin(t.ident as number, 10_000)).toBe(true);
    expect(backend.threadState(t.ident as number)).toBe(ThreadState.Done);
    expect(() => t.join(0)).toThrow(KILLED);
  });

  test.each(['normal', 'daemon'])('the process exits normally afterwards (%s thread)', async (kind) => {
    const run = await runChild(fixture('memory-limit.mjs'), { args: [kind], killAfterMs: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.stdout).toBe('join threw ThreadError\nnext thread 42\nmain end\n');
    expect(run.stderr).toMatch(/^Exception in thread hog:\nThreadError: thread 'hog' .* killed by its memory limit/);
    expect(run.code).toBe(0);
  });
});
