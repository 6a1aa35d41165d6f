/**
 * Exit: daemon threads never hold the process open, even blocked in a wait;
 * non-daemon threads keep it alive until they finish, as in Python.
 */
import { describe, expect, test } from 'vitest';
import { fixture, runChild } from './helpers.js';

describe('exit', () => {
  test.each(['get', 'put', 'acquire', 'sleep'])(
    'a daemon thread blocked in %s does not keep the process alive (exits within 1 s of main end)',
    async (wait) => {
      const run = await runChild(fixture('exit-scenarios.mjs'), { args: [wait, 'daemon'], killAfterMs: 15_000 });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('main end\n');
      expect(run.stderr).toBe('');
      const mainEnd = run.lineTimes.find((l) => l.line === 'main end')?.at ?? Infinity;
      expect(run.elapsed - mainEnd).toBeLessThan(1000);
    },
  );

  test('a non-daemon thread keeps the process alive until it finishes', async () => {
    const run = await runChild(fixture('exit-scenarios.mjs'), { args: ['finite', 'normal'] });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('main end\nthread end\n');
  });
});
