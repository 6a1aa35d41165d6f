/**
 * Exit: daemon threads never hold the process open, even blocked in a wait;
 * non-daemon threads keep it alive until they finish, as in Python; and
 * process.exit() from the main thread never hangs on threads that are blocked.
 * Each program is killed after 15 s (a hang fails the test).
 */
import { describe, expect, test } from 'vitest';
import { fixture, requestedBackend, runChild, type ChildRun } from './helpers.js';

const WAITS = ['get', 'put', 'acquire', 'racquire', 'semaphore', 'condition', 'event', 'barrier', 'sleep', 'join'];

/** Milliseconds from the stdout line `line` to the process's exit. */
function afterLine(run: ChildRun, line: string): number {
  const at = run.lineTimes.find((l) => l.line === line)?.at;
  expect(at, `line '${line}' in ${JSON.stringify(run.stdout)} / ${run.stderr}`).toBeDefined();
  return run.elapsed - (at ?? 0);
}

const measured: string[] = [];
function record(what: string, ms: number): void {
  measured.push(`${what}: ${ms.toFixed(0)} ms`);
}

describe('exit', () => {
  test.each([...WAITS, 'all'])(
    'daemon threads blocked in %s do not keep the process alive (exit within 1 s of main end)',
    async (wait) => {
      const run = await runChild(fixture('exit-scenarios.mjs'), { args: [wait, 'daemon'], killAfterMs: 15_000 });
      expect(run.signal).toBeNull();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('main end\n');
      const ms = afterLine(run, 'main end');
      record(`daemon ${wait}`, ms);
      expect(ms).toBeLessThan(1000);
    },
  );

  test('a non-daemon thread keeps the process alive until it finishes', async () => {
    const run = await runChild(fixture('exit-scenarios.mjs'), { args: ['finite', 'normal'], killAfterMs: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('main end\nthread end\n');
  });

  test('non-daemon threads blocked in every kind of wait keep the process alive until released, then it exits', async () => {
    const run = await runChild(fixture('exit-scenarios.mjs'), { args: ['all', 'normal'], killAfterMs: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // (The sleeping thread may end before the main program does: it sleeps 300 ms from its start.)
    expect(run.stdout.split('\n').sort()).toEqual(['', 'main end', ...Array<string>(WAITS.length).fill('thread end')]);
    // Released by a timer 300 ms after the main program's end, so alive at least that long.
    expect(afterLine(run, 'main end')).toBeGreaterThanOrEqual(250);
    const lastThread = run.lineTimes.filter((l) => l.line === 'thread end').at(-1)?.at ?? 0;
    record('normal all, last thread end to exit', run.elapsed - lastThread);
    expect(run.elapsed - lastThread).toBeLessThan(1000);
  });

  test.each(['all', 'join', 'condition', 'barrier'])(
    'process.exit(3) from the main thread while non-daemon threads are blocked in %s exits at once with code 3',
    async (wait) => {
      const run = await runChild(fixture('exit-scenarios.mjs'), { args: [wait, 'exit'], killAfterMs: 15_000 });
      expect(run.signal).toBeNull();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('main end\nexiting\n');
      const ms = afterLine(run, 'exiting');
      record(`process.exit ${wait}`, ms);
      expect(ms).toBeLessThan(1000);
    },
  );

  test('figures', () => {
    console.log(`exit times (${requestedBackend}, from the last line printed to exit):\n  ${measured.join('\n  ')}`);
  });
});
