/**
 * No leaks: 200,000 shared objects created and dropped (some through queues and
 * threads) leave the backend's live-object count at its baseline and RSS growth
 * under 20 MB. The full size (1,000,000): `npm run soak -- --minutes N --leaks`,
 * or LEAKS_FULL=1 for this test.
 */
import { describe, expect, test } from 'vitest';
import { requestedBackend } from './helpers.js';
import { leakRound } from './leak-scenario.js';

const N = process.env.LEAKS_FULL ? 1_000_000 : 200_000;

describe('leaks', () => {
  test(`${N} objects created and dropped: live count back to baseline, RSS growth < 20 MB`, async () => {
    const r = await leakRound(N);
    console.log(`leaks (${requestedBackend}): ${JSON.stringify(r)}`);
    expect(r.problems).toEqual([]);
    expect(r.liveAfter).toBeLessThanOrEqual(r.liveBaseline);
  }, 120_000);
});
