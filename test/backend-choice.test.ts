import { describe, expect, test } from 'vitest';
import { backend } from 'native-threads';
import { requestedBackend } from './helpers.js';

describe('backend', () => {
  test('is the one this run asked for, so each run really tests its backend', () => {
    expect(backend).toBe(requestedBackend);
  });
});
