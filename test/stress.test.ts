/**
 * No lost data: many producers and consumers, timeouts, aborted async calls and
 * a shutdown in the middle; every item put is got exactly once (see stress-scenario.ts).
 * The long version: `npm run soak -- --minutes N`.
 */
import { describe, expect, test } from 'vitest';
import { requestedBackend } from './helpers.js';
import { stressOnce } from './stress-scenario.js';

describe('stress', () => {
  test('8 producers × 8 consumers, async aborts, shutdown mid-run: every item put is got exactly once', async () => {
    const totals = { put: 0, got: 0, drained: 0, aborted: 0, timeouts: 0 };
    for (const [runMs, maxsize, consumersStopEarly] of [
      [1500, 16, false],
      [1000, 1, false],
      [1000, 64, true],
    ] as const) {
      const r = await stressOnce({ runMs, maxsize, consumersStopEarly });
      if (consumersStopEarly) expect(r.drained).toBe(maxsize);
      expect(r.problems).toEqual([]);
      expect(r.got).toBe(r.put);
      expect(r.put).toBeGreaterThan(100);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    }
    expect(totals.aborted).toBeGreaterThan(0);
    console.log(`stress (${requestedBackend}): ${JSON.stringify(totals)}`);
  }, 60_000);
});
