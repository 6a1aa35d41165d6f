import { describe, expect, test } from 'vitest';
import { Event, Timer, setExcepthook, spawn, type ExceptHookArgs } from 'native-threads';

describe('setExcepthook', () => {
  test('the hook runs here, after the failing thread ended, with its error and thread; join still rethrows', async () => {
    const seen: { name: string; message: string; thread: string; alive: boolean }[] = [];
    const previous = setExcepthook(({ error, thread }: ExceptHookArgs) => {
      seen.push({ name: error.name, message: error.message, thread: thread.name, alive: thread.isAlive() });
    });
    expect(previous).toBeNull();
    try {
      const t = spawn(() => {
        throw new RangeError('hooked');
      });
      expect(() => t.join(10_000)).toThrow('hooked');
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([{ name: 'RangeError', message: 'hooked', thread: t.name, alive: false }]);
    } finally {
      expect(typeof setExcepthook(null)).toBe('function');
    }
  });

  test('only functions or null are accepted', () => {
    expect(() => setExcepthook(5 as never)).toThrow(TypeError);
  });
});

describe('Timer', () => {
  test('runs its target after the interval', () => {
    const done = new Event();
    const t = new Timer(30, (done: Event) => done.set(), [done]);
    const started = performance.now();
    t.start();
    expect(done.wait(10_000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    t.join(10_000);
  });

  test('cancel before the interval ends means the target never runs', () => {
    const ran = new Event();
    const t = new Timer(10_000, (ran: Event) => ran.set(), [ran]);
    t.start();
    t.cancel();
    t.join(10_000);
    expect(t.isAlive()).toBe(false);
    expect(ran.isSet()).toBe(false);
  });

  test('a negative interval is a RangeError naming interval', () => {
    expect(() => new Timer(-1, () => 1)).toThrow(/interval/);
  });
});
