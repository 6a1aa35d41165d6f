/**
 * Exceptions in threads: a target that throws (sync or async) inside `with()` or
 * `hold()` of a Lock, RLock or Semaphore releases what it held, reports through
 * the excepthook, and `join()` rethrows; a thread waiting to acquire and a thread
 * joining it are not left hanging.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Event, Lock, RLock, Semaphore, setExcepthook, spawn, type ExceptHookArgs } from 'native-threads';

type Prim = Lock | RLock | Semaphore;
const seen: { name: string; message: string; thread: string }[] = [];

beforeAll(() => {
  setExcepthook(({ error, thread }: ExceptHookArgs) => {
    seen.push({ name: error.name, message: error.message, thread: thread.name });
  });
});
afterAll(() => {
  setExcepthook(null);
});

const kinds: [string, () => Prim][] = [
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
  ['Semaphore', () => new Semaphore(1)],
];
const modes = ['with sync', 'with async', 'hold sync', 'hold async', 'nested with (RLock twice / Semaphore twice)'] as const;

function free(prim: Prim): boolean {
  if (!prim.acquire({ blocking: false })) return false;
  prim.release();
  return true;
}

describe('exceptions in threads', () => {
  test.each(kinds.flatMap(([kind, make]) => modes.map((mode) => [kind, mode, make] as const)))(
    '%s, %s: released, reported, rethrown by join; waiters go on',
    async (kind, mode, make) => {
      if (mode.startsWith('nested') && kind === 'Lock') return; // a Lock cannot be taken twice
      const prim = kind === 'Semaphore' && mode.startsWith('nested') ? new Semaphore(2) : make();
      const inside = new Event();
      const go = new Event();
      const message = `boom ${kind} ${mode}`;
      const failing = spawn(
        async (prim: Prim, mode: string, inside: Event, go: Event, message: string) => {
          const fail = (): never => {
            throw new TypeError(message);
          };
          if (mode === 'with sync') {
            prim.with(() => {
              inside.set();
              go.wait();
              fail();
            });
          } else if (mode === 'with async') {
            await prim.with(async () => {
              inside.set();
              go.wait();
              await new Promise((r) => setTimeout(r, 1));
              fail();
            });
          } else if (mode === 'hold sync') {
            const guard = prim.hold();
            try {
              inside.set();
              go.wait();
              fail();
            } finally {
              guard.release();
            }
          } else if (mode === 'hold async') {
            const guard = prim.hold({ timeout: 10_000 });
            try {
              inside.set();
              go.wait();
              await new Promise((r) => setTimeout(r, 1));
              fail();
            } finally {
              guard.release();
            }
          } else {
            prim.with(() => prim.with(() => {
              inside.set();
              go.wait();
              fail();
            }));
          }
        },
        prim,
        mode,
        inside,
        go,
        message,
      );
      expect(inside.wait(10_000)).toBe(true);
      // A thread waiting to acquire what the failing thread holds, and one joining it.
      const waiter = spawn(
        (prim: Prim) => {
          const got = prim.acquire({ timeout: 10_000 });
          if (got) prim.release();
          return got;
        },
        prim,
      );
      const joiner = spawn((t: { join(timeout?: number): unknown }) => {
        try {
          t.join(10_000);
          return 'returned';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      }, failing);
      // Held (both permits, for the nested Semaphore) while the thread waits for `go`.
      expect(free(prim)).toBe(false);
      go.set();
      expect(() => failing.join(10_000)).toThrow(message);
      expect(failing.isAlive()).toBe(false);
      expect(await waiter.joinAsync({ timeout: 10_000 })).toBe(true);
      expect(await joiner.joinAsync({ timeout: 10_000 })).toBe(`TypeError: ${message}`);
      expect(free(prim)).toBe(true);
      if (prim instanceof Lock || prim instanceof RLock) expect(prim.locked()).toBe(false);
      for (let i = 0; i < 500 && !seen.some((s) => s.message === message); i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.filter((s) => s.message === message)).toEqual([{ name: 'TypeError', message, thread: failing.name }]);
    },
  );

  test('a thread that dies holding a plain Lock (no with/hold) leaves it locked, as in Python', () => {
    const lock = new Lock();
    const t = spawn((lock: Lock) => {
      lock.acquire();
      throw new Error('died holding it');
    }, lock);
    expect(() => t.join(10_000)).toThrow('died holding it');
    expect(lock.locked()).toBe(true);
    lock.release(); // any thread may release a Lock
    expect(lock.locked()).toBe(false);
  });
});
