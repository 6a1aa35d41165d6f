/**
 * The seven seed examples, run as programs (child processes) on the backend under
 * test: what they print and when they exit. Then the same programs written
 * independently against the API (test/fixtures/seed-alt/), which must behave the same.
 */
import { describe, expect, test } from 'vitest';
import { fixture, runChild, type ChildRun } from './helpers.js';

function lines(run: ChildRun): string[] {
  return run.stdout.split('\n').filter((l) => l !== '');
}

function expectClean(run: ChildRun): void {
  expect(run.stderr).not.toMatch(/Exception in thread|Error/);
  expect(run.signal).toBeNull();
  expect(run.code).toBe(0);
}

/** Example 6's output: 20 lines `in ThreadK got V`, each V once, then `main done`, then a prompt exit. */
function expectQueueWorkers(run: ChildRun): void {
  expectClean(run);
  const out = lines(run);
  expect(out).toHaveLength(21);
  expect(out[20]).toBe('main done');
  const values = out.slice(0, 20).map((line) => {
    const m = /^in Thread(\d+) got (\d+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const k = Number(m?.[1]);
    expect(k).toBeGreaterThanOrEqual(1);
    expect(k).toBeLessThanOrEqual(10);
    return Number(m?.[2]);
  });
  expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  const mainDoneAt = run.lineTimes.find((l) => l.line === 'main done')?.at ?? Infinity;
  expect(run.elapsed - mainDoneAt).toBeLessThan(1000);
}

function expectDaemon(run: ChildRun): void {
  expectClean(run);
  const out = lines(run);
  expect(out.at(-1)).toBe('Main program is done.');
  const running = out.slice(0, -1);
  expect(running.every((l) => l === 'Daemon thread is running.')).toBe(true);
  expect(running.length).toBeGreaterThanOrEqual(4);
  expect(running.length).toBeLessThanOrEqual(6);
  expect(run.elapsed).toBeLessThan(6500);
}

describe('seed examples (examples/)', () => {
  test('1: ten threads start and join, and the program ends cleanly', async () => {
    const run = await runChild('examples/01-create-and-join.ts');
    expectClean(run);
    expect(run.stdout).toBe('');
  });

  test('2: the unlocked race prints Start value:  0, then End value: 1', async () => {
    const run = await runChild('examples/02-race.ts');
    expectClean(run);
    expect(lines(run)).toEqual(['Start value:  0', 'End value: 1']);
  });

  test('3: acquire/release makes it End value: 2', async () => {
    const run = await runChild('examples/03-lock.ts');
    expectClean(run);
    expect(lines(run)).toEqual(['Start value:  0', 'End value: 2']);
  });

  test('4: the lock as a context manager makes it End value: 2', async () => {
    const run = await runChild('examples/04-lock-context-manager.ts');
    expectClean(run);
    expect(lines(run)).toEqual(['Start value:  0', 'End value: 2']);
  });

  test('5: the FIFO queue prints 1', async () => {
    const run = await runChild('examples/05-queue.ts');
    expectClean(run);
    expect(lines(run)).toEqual(['1']);
  });

  test('6: ten daemon workers print each item once, then main done, and the process exits within 1 s', async () => {
    expectQueueWorkers(await runChild('examples/06-queue-workers.ts'));
  });

  test('7: the daemon prints about five times, then Main program is done., exiting within 6.5 s', async () => {
    expectDaemon(await runChild('examples/07-daemon.ts'));
  });
});

describe('seed programs written independently (test/fixtures/seed-alt/)', () => {
  test('create/join: all ten start, none alive after join', async () => {
    const run = await runChild(fixture('seed-alt/create-join.mjs'));
    expectClean(run);
    expect(lines(run)).toEqual(['started 10, alive after join 0, results 998001']);
  });

  test.each([
    ['unlocked', 1],
    ['locked', 2],
    ['with', 2],
  ])('race %s ends at %i', async (mode, end) => {
    const run = await runChild(fixture('seed-alt/race.mjs'), { args: [mode] });
    expectClean(run);
    expect(lines(run)).toEqual(['Start value:  0', `End value: ${end}`]);
  });

  test('queue workers behave as example 6', async () => {
    expectQueueWorkers(await runChild(fixture('seed-alt/workers.mjs')));
  });

  test('daemon behaves as example 7', async () => {
    expectDaemon(await runChild(fixture('seed-alt/daemon.mjs')));
  });
});
