import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the package by name, as users do, and get the built dist/.
    alias: { 'native-threads': fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start worker threads and child processes: one process per file, one
    // file at a time. On a 2-core machine, files run side by side starve the
    // seed programs' timing (their threads race within a 100 ms sleep, and the
    // daemon example must end before its daemon's sixth line).
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
