import { describe, expect, test } from 'vitest';
import { backend, spawn } from 'native-threads';
import { requestedBackend } from './helpers.js';

describe('backend', () => {
  test('is the one this run asked for, so each run really tests its backend', () => {
    expect(backend).toBe(requestedBackend);
  });

  test.runIf(requestedBackend === 'native')('a thread loads the .node file the process loaded, not through the generated loader', async () => {
    const loaded = spawn(async () => {
      const { createRequire } = await import('node:module');
      const require = createRequire(`${process.cwd()}/`);
      return Object.keys(require.cache).map((file) => file.replaceAll('\\', '/').split('/').pop());
    }).join() as string[];
    expect(loaded.filter((file) => file?.endsWith('.node'))).toHaveLength(1);
    expect(loaded).not.toContain('binding.cjs');
  });
});
