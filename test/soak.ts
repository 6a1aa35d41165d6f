/**
 * The soak: the stress scenario (stress-scenario.ts) again and again for N
 * minutes, on the backend NATIVE_THREADS_BACKEND names (default native), with
 * totals at the end. Not part of `npm test`.
 *   npm run soak -- --minutes N [--leaks | --full]
 * With --leaks (or --full), each round also runs the leak check's full size (1,000,000 objects).
 * Exits 1 on the first violation. (On Windows: node --import tsx test/soak.ts --minutes N.)
 */
import { backend } from 'native-threads';
import { stressOnce } from './stress-scenario.js';

const argv = process.argv.slice(2);
const minutes = argv.includes('--minutes') ? Number(argv[argv.indexOf('--minutes') + 1]) : 1;
if (!(minutes > 0)) {
  console.error('usage: npm run soak -- --minutes N [--leaks]');
  process.exit(2);
}
const leaks = argv.includes('--leaks') || argv.includes('--full');
const totals = { rounds: 0, put: 0, got: 0, drained: 0, aborted: 0, timeouts: 0 };
const end = Date.now() + minutes * 60_000;
const shapes = [
  { runMs: 1500, maxsize: 16, consumersStopEarly: false },
  { runMs: 1000, maxsize: 1, consumersStopEarly: false },
  { runMs: 1000, maxsize: 64, consumersStopEarly: true },
  { runMs: 3000, maxsize: 4, consumersStopEarly: false },
];
console.log(`soak: ${minutes} min on the ${backend} backend`);
while (Date.now() < end) {
  const shape = shapes[totals.rounds % shapes.length]!;
  const r = await stressOnce(shape);
  totals.rounds++;
  totals.put += r.put;
  totals.got += r.got;
  totals.drained += r.drained;
  totals.aborted += r.aborted;
  totals.timeouts += r.timeouts;
  if (r.problems.length > 0 || r.got !== r.put) {
    console.error(`soak: round ${totals.rounds} (${JSON.stringify(shape)}) FAILED:\n  ${r.problems.join('\n  ')}`);
    console.log(`soak totals: ${JSON.stringify(totals)}`);
    process.exit(1);
  }
  if (leaks) {
    const { leakRound } = await import('./leak-scenario.js');
    const l = await leakRound(1_000_000);
    console.log(`soak: leaks ${JSON.stringify(l)}`);
    if (l.problems.length > 0) process.exit(1);
  }
  if (totals.rounds % 10 === 0) console.log(`soak: ${totals.rounds} rounds, ${totals.got} items moved`);
}
console.log(`soak totals (${backend}): ${JSON.stringify(totals)}`);
