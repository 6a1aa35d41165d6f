// Runs the seven seed examples in order, each in its own process, with a header
// each. Usage: npm run demo [-- --backend native|js]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const examples = [
  ['01-create-and-join.ts', 'Create and run threads'],
  ['02-race.ts', 'Share data between threads (a race)'],
  ['03-lock.ts', 'Avoid race conditions with locks'],
  ['04-lock-context-manager.ts', 'Locks as context managers'],
  ['05-queue.ts', 'Using queues'],
  ['06-queue-workers.ts', 'Multithreading with queues'],
  ['07-daemon.ts', 'Daemon threads'],
];

const args = process.argv.slice(2);
const env = { ...process.env };
const at = args.indexOf('--backend');
if (at >= 0) {
  const name = args[at + 1];
  if (name !== 'native' && name !== 'js') {
    console.error(`--backend takes native or js, got ${name ?? 'nothing'}`);
    process.exit(2);
  }
  env.NATIVE_THREADS_BACKEND = name;
}

let failed = 0;
examples.forEach(([file, title], i) => {
  console.log(`\n=== ${i + 1}. ${title} (examples/${file}) ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('examples', file)], { cwd: root, env, stdio: 'inherit' });
  const ms = Math.round(performance.now() - started);
  if (run.status !== 0) {
    failed++;
    console.log(`--- exited with ${run.status ?? run.signal} after ${ms} ms`);
  } else {
    console.log(`--- done in ${ms} ms`);
  }
});
const backendNote = env.NATIVE_THREADS_BACKEND ? ` (backend ${env.NATIVE_THREADS_BACKEND})` : '';
console.log(failed === 0 ? `\nAll ${examples.length} examples ran${backendNote}.` : `\n${failed} example(s) failed${backendNote}.`);
process.exit(failed === 0 ? 0 : 1);
