// The cold seed programs on raw worker_threads, in a fresh process: how fast Node
// itself can start the seed's threads here, the floor under our cold targets.
// Run by bench/run.mjs beside `bench/cases.mjs --cold`, timed the same way: from
// the first line of the program to the end of the seed's work.
// Usage: node bench/peers-cold.mjs race|queue   (prints one line `@@RESULT {json}`)
//
// The workers are the cheapest kind Node has: CommonJS source passed with
// `eval: true` (no module loading), started at once, with no pool and no library.
// "Done" is signalled through shared memory, as our join is, not by the workers'
// exit, which would add their teardown.
import { Worker } from 'node:worker_threads';

const t0 = performance.now();
const which = process.argv[2];

/** Resolves once `words[at]` reads `want` (a pending Atomics.waitAsync does not keep the process alive, the workers do). */
async function until(words, at, want) {
  for (let seen = Atomics.load(words, at); seen !== want; seen = Atomics.load(words, at)) {
    await Atomics.waitAsync(words, at, seen).value;
  }
}

if (which === 'race') {
  // Word 0: the shared value; word 1: how many threads finished.
  const words = new Int32Array(new SharedArrayBuffer(8));
  const increase = `
    const { workerData } = require('node:worker_threads');
    const words = new Int32Array(workerData);
    let local = Atomics.load(words, 0);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // sleep(100)
    Atomics.store(words, 0, local + 1);
    Atomics.add(words, 1, 1);
    Atomics.notify(words, 1);`;
  for (let i = 0; i < 2; i++) new Worker(increase, { eval: true, workerData: words.buffer });
  await until(words, 1, 2);
  const ms = performance.now() - t0;
  const endValue = Atomics.load(words, 0);
  if (endValue !== 1 && endValue !== 2) throw new Error(`raw cold race: end value ${endValue}`);
  process.stdout.write(`@@RESULT ${JSON.stringify({ ms, endValue })}\n`);
} else if (which === 'queue') {
  // The seed's program: ten workers started (a start returns once its thread runs,
  // as Python's and ours do: here all ten boot at once, then the program waits for
  // them), then 20 items put, then q.join(). Words: 0 workers running, 1 items put
  // (all 20 at once), 2 the next item to take, 3 items done, 4 their sum (the
  // checksum). Each taken item is printed with one synchronous write, as `print`
  // does. The workers are daemons: the program ends while they wait.
  const ITEMS = 20;
  const [RUNNING, PUT, NEXT, DONE, SUM] = [0, 1, 2, 3, 4];
  const words = new Int32Array(new SharedArrayBuffer(20));
  const worker = `
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const { words: buffer, name } = workerData;
    const words = new Int32Array(buffer);
    Atomics.add(words, ${RUNNING}, 1);
    Atomics.notify(words, ${RUNNING});
    Atomics.wait(words, ${PUT}, 0);
    for (let item = Atomics.add(words, ${NEXT}, 1); item < ${ITEMS}; item = Atomics.add(words, ${NEXT}, 1)) {
      writeSync(1, 'in ' + name + ' got ' + item + '\\n');
      Atomics.add(words, ${SUM}, item);
      Atomics.add(words, ${DONE}, 1);
      Atomics.notify(words, ${DONE});
    }
    Atomics.wait(words, ${PUT}, ${ITEMS});`;
  for (let i = 0; i < 10; i++) {
    new Worker(worker, { eval: true, workerData: { words: words.buffer, name: `Thread${i + 1}` } });
  }
  await until(words, RUNNING, 10);
  Atomics.store(words, PUT, ITEMS);
  Atomics.notify(words, PUT);
  await until(words, DONE, ITEMS);
  const ms = performance.now() - t0;
  const sum = Atomics.load(words, SUM);
  if (sum !== (ITEMS * (ITEMS - 1)) / 2) throw new Error(`raw cold queue: checksum ${sum}, expected 190`);
  process.stdout.write(`@@RESULT ${JSON.stringify({ ms })}\n`);
  process.exit(0);
} else {
  throw new Error('usage: node bench/peers-cold.mjs race|queue');
}
