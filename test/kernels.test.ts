import { describe, expect, test } from 'vitest';
import { native } from 'native-threads';
import { requestedBackend } from './helpers.js';

// The kernels need the addon; they are checked in the native run.
describe.skipIf(requestedBackend !== 'native')('native kernels (Rust OS threads, no JS in the loop)', () => {
  test('the seed race ends at 1 unlocked and 2 locked', () => {
    expect(native.seedRace(false)).toBe(1);
    expect(native.seedRace(true)).toBe(2);
    expect(native.seedRace(false, 20)).toBe(1);
  });

  test('the seed queue consumes every item once (checksum)', () => {
    expect(native.seedQueue(10, 20)).toBe(190);
    expect(native.seedQueue(4, 10_000)).toBe((10_000 * 9_999) / 2);
  });

  test('bad input is a typed error naming the parameter', () => {
    expect(() => native.seedRace('yes' as never)).toThrow(/locked/);
    expect(() => native.seedRace(true, -1)).toThrow(RangeError);
    expect(() => native.seedQueue(0, 10)).toThrow(/workers/);
  });
});
