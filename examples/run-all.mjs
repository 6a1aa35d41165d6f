// Runs the seven seed examples in order, with a header each, in ONE process: the
// thread pool started for the first example serves all of them, so the demo takes
// about as long as the examples' own sleeps. Example 7 (a daemon that dies with the
// main program) runs last, and the process's exit is its end.
// The examples run as plain JS transpiled from examples/*.ts by
// `node scripts/prepare.mjs --examples` (npm run demo does it).
// Usage: npm run demo [-- --backend native|js]
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const examples = [
  ['01-create-and-join', 'Create and run threads'],
  ['02-race', 'Share data between threads (a race)'],
  ['03-lock', 'Avoid race conditions with locks'],
  ['04-lock-context-manager', 'Locks as context managers'],
  ['05-queue', 'Using queues'],
  ['06-queue-workers', 'Multithreading with queues'],
  ['07-daemon', 'Daemon threads'],
];

const args = process.argv.slice(2);
const at = args.indexOf('--backend');
if (at >= 0) {
  const name = args[at + 1];
  if (name !== 'native' && name !== 'js') {
    console.error(`--backend takes native or js, got ${name ?? 'nothing'}`);
    process.exit(2);
  }
  process.env.NATIVE_THREADS_BACKEND = name; // read when the package is first imported, below
}

const compiled = join(root, 'examples', '.compiled');
if (!examples.every(([name]) => existsSync(join(compiled, `${name}.js`)))) {
  console.error('examples/.compiled/ is missing: run `npm run demo` (or node scripts/prepare.mjs --examples) first');
  process.exit(2);
}

const { backend, prestart } = await import('native-threads');
// Two warm threads serve examples 1 and 2 (a start takes the first worker free).
// Nine more boot while examples 3 and 4 sleep: example 6's ten daemon workers stay
// blocked on their queue for good, and example 7's daemon needs an eleventh (else
// its start waits ~85 ms for a boot). Booting them earlier took the CPU from
// examples 1 and 2. Idle workers never hold the process open.
await prestart(2);
let warm;

let failed = 0;
for (const [i, [name, title]] of examples.entries()) {
  if (i === examples.length - 1) {
    console.log(`\n(${backend} backend; ${failed === 0 ? 'all earlier examples ran' : `${failed} failed`}; the last one ends the process)`);
  }
  console.log(`\n=== ${i + 1}. ${title} (examples/${name}.ts) ===`);
  if (name === '03-lock') warm = prestart(11);
  if (name === '06-queue-workers') await warm;
  const started = performance.now();
  try {
    await import(pathToFileURL(join(compiled, `${name}.js`)).href);
    if (i < examples.length - 1) console.log(`--- done in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    failed++;
    console.log(`--- failed after ${Math.round(performance.now() - started)} ms:`, error);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
