// The benchmark suite: native-threads on the native and js backends (each in its own
// child process), raw worker_threads / piscina / multithreading where they have the
// operation, and Python 3's threading/queue when python3 exists. Prints one table.
// Usage: npm run bench [-- --quick] [-- --json]
//   --quick  short runs (< 1 min), no demo timing
//   --json   also write bench/results.json
//   --svg    also write bench/results.svg (the chart embedded in bench/RESULTS.md)
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const q = quick ? ['--quick'] : [];

// case name → label, unit, direction (lower/higher is better), target
const CASES = [
  ['spawnWarm', 'spawn+join empty fn, warm pool', 'µs', 'lower', '≤30 µs'],
  ['spawnNewFn', 'spawn+join, new function each call', 'µs', 'lower', '≤60 µs'],
  ['acquireRelease', 'uncontended Lock acquire+release', 'ns', 'lower', '≤25 ns'],
  ['rlockAcquireRelease', 'uncontended RLock acquire+release', 'ns', 'lower', ''],
  ['valueRead', 'Value.value read (one call)', 'ns', 'lower', ''],
  ['lockLocked', 'Lock.locked() (one call)', 'ns', 'lower', ''],
  ['contended', 'contended counter, 2 threads, per op', 'ns', 'lower', '≤60 ns'],
  ['lockPingPong', 'Lock handoff ping-pong, one way', 'µs', 'lower', '≤10 µs'],
  ['eventPingPong', 'Event wait→set handoff, one way', 'µs', 'lower', '≤10 µs'],
  ['conditionPingPong', 'Condition wait→notify handoff, one way', 'µs', 'lower', '≤10 µs'],
  ['queueInts', 'Queue(1024) thread→thread, ints', 'items/s', 'higher', '≥5M/s'],
  ['simpleQueueInts', 'SimpleQueue thread→thread, ints', 'items/s', 'higher', '≥ Python'],
  ['queueObjects', 'Queue(1024) thread→thread, {id,name,tags}', 'items/s', 'higher', '≥500k/s'],
  ['cpuSplit', 'CPU work on 2 threads vs 1 (speed-up)', '×', 'higher', '≥1.9×'],
  ['raceWarm', 'seed race (02), warm', 'ms', 'lower', '≤110 ms'],
  ['raceCold', 'seed race (02), cold process', 'ms', 'lower', '≤180 ms'],
  ['seedQueueWarm', 'seed queue (06), prestarted', 'ms', 'lower', '≤20 ms'],
  ['seedQueueCold', 'seed queue (06), cold process', 'ms', 'lower', '≤350 ms'],
  ['demo', 'seed demo, 7 examples (npm run demo)', 'ms', 'lower', '≤5800 ms'],
  ['rssPerThread', 'RSS per warm thread', 'MB', 'lower', '≤12 MB'],
  ['kernelRace', 'floor: native.seedRace(false)', 'ms', 'lower', ''],
  ['kernelQueue', 'floor: native.seedQueue(10, 20)', 'ms', 'lower', ''],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// NODE_EXTRA_CA_CERTS makes every Node process parse that CA bundle as it starts
// (~60 ms on this VM, which sets it for its network sandbox). Nothing here uses TLS,
// and the demo's wall time includes Node's start: its children run without it.
// Node's start both ways is measured and printed below the table.
const childEnv = { ...process.env };
delete childEnv.NODE_EXTRA_CA_CERTS;

/** Milliseconds from a Node process's start to the end of its bootstrap, with `env`. */
function nodeStartMs(env) {
  const runs = Array.from({ length: 5 }, () => {
    const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(performance.nodeTiming.bootstrapComplete))'], { env, encoding: 'utf8' });
    return Number(run.stdout);
  });
  return median(runs);
}

function child(cmd, args, env = {}) {
  const run = spawnSync(cmd, args, {
    cwd: root,
    env: { ...childEnv, ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('@@RESULT '));
  if (run.status !== 0 || !line) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${run.status ?? run.error}):\n${(run.stderr ?? '').slice(-2000)}`);
  }
  return JSON.parse(line.slice(9));
}
const log = (s) => process.stderr.write(s + '\n');

// The native column is the release addon's, as a user installs it: a clone's
// `npm test` or `npm run demo` builds a debug one, on which a warm spawn+join took
// 29-48 µs against 20-23 µs (bench/foundation.mjs, two runs each). So the bench
// builds the release addon first, as `npm run build` does (a few seconds when
// nothing is stale; without cargo it says so, and the addon there is, or the js
// backend, is measured).
log('• building the release addon (scripts/prepare.mjs --release)');
if (spawnSync(process.execPath, ['scripts/prepare.mjs', '--release'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) {
  throw new Error('scripts/prepare.mjs --release failed');
}

const results = { native: {}, js: {}, python: {}, peers: {} };
const errors = [];
for (const backend of ['native', 'js']) {
  const env = { NATIVE_THREADS_BACKEND: backend };
  try {
    log(`• ${backend}: cases`);
    const r = child(process.execPath, ['bench/cases.mjs', ...q], env);
    Object.assign(results[backend], r.cases);
    if (r.kernelError) errors.push(`kernels: ${r.kernelError}`);
    log(`• ${backend}: cold seed programs, RSS`);
    for (const which of ['race', 'queue']) {
      const runs = Array.from({ length: quick ? 1 : 5 }, () => child(process.execPath, ['bench/cases.mjs', '--cold', which], env));
      const entry = { value: median(runs.map((r) => r.ms)) };
      if (which === 'race') entry.endValues = runs.map((r) => r.endValue);
      results[backend][which === 'race' ? 'raceCold' : 'seedQueueCold'] = entry;
    }
    results[backend].rssPerThread = { value: child(process.execPath, ['bench/cases.mjs', '--rss'], env).mbPerThread };
    if (!quick) {
      log(`• ${backend}: npm run demo (examples/run-all.mjs: the seven examples in one process)`);
      spawnSync(process.execPath, ['scripts/prepare.mjs', '--examples'], { cwd: root, stdio: 'ignore' });
      // The median of 3: its target is 300 ms over its sleeps, and this VM's noise alone moves one run by ~100 ms.
      const runs = Array.from({ length: 3 }, () => {
        const t0 = performance.now();
        const run = spawnSync(process.execPath, ['examples/run-all.mjs', '--backend', backend], { cwd: root, env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        if (run.status !== 0) throw new Error(`demo failed on ${backend}`);
        return performance.now() - t0;
      });
      results[backend].demo = { value: median(runs), runs };
    }
  } catch (e) {
    errors.push(`${backend}: ${e.message}`);
  }
}
// the kernels are the same code whichever backend loads them: report them as native only
delete results.js.kernelRace;
delete results.js.kernelQueue;

try {
  log('• peers: worker_threads, piscina, multithreading');
  const peers = child(process.execPath, ['bench/peers.mjs', ...q]);
  results.peers = peers.cases;
  for (const w of peers.wrong) errors.push(`a wrong result, left out: ${w}`);
} catch (e) {
  errors.push(`peers: ${e.message}`);
}
try {
  // The same cold programs on raw worker_threads: the floor Node itself sets here.
  for (const which of ['race', 'queue']) {
    const runs = Array.from({ length: quick ? 1 : 5 }, () => child(process.execPath, ['bench/peers-cold.mjs', which]));
    (results.peers[which === 'race' ? 'raceCold' : 'seedQueueCold'] ??= {}).worker_threads = median(runs.map((r) => r.ms));
  }
} catch (e) {
  errors.push(`peers, cold programs: ${e.message}`);
}

let python = null;
const py = spawnSync('python3', ['--version'], { encoding: 'utf8' });
if (py.status === 0) {
  try {
    log('• python3');
    const r = child('python3', ['bench/python/bench.py', ...q]);
    python = r.python;
    for (const [k, v] of Object.entries(r.cases)) results.python[k] = { value: v };
  } catch (e) {
    errors.push(`python: ${e.message}`);
  }
}

// ---- table
const fmt = (v, unit) => {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (unit === 'items/s') return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M/s` : `${Math.round(v / 1e3)}k/s`;
  if (unit === '×') return `${v.toFixed(2)}×`;
  const d = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(d)} ${unit}`;
};
const rows = CASES.map(([key, label, unit, better, target]) => {
  const native = results.native[key]?.value;
  const js = results.js[key]?.value;
  const pyv = results.python[key]?.value;
  const peers = Object.entries(results.peers[key] ?? {});
  const isBetter = (a, b) => (better === 'lower' ? a < b : a > b);
  let bestPeer = null;
  for (const [name, v] of peers) if (!bestPeer || isBetter(v, bestPeer[1])) bestPeer = [name, v];
  const others = [js, pyv, bestPeer?.[1]].filter((v) => typeof v === 'number');
  let bestOther;
  for (const v of others) if (bestOther === undefined || isBetter(v, bestOther)) bestOther = v;
  const ratio = typeof native === 'number' && bestOther ? native / bestOther : undefined;
  return {
    key, label, unit, better, target, native, js, python: pyv, peers: Object.fromEntries(peers), bestPeer, ratio,
    cells: [
      `${label} (${better} is better)`,
      fmt(native, unit), fmt(js, unit), fmt(pyv, unit),
      peers.length ? peers.map(([n, v]) => `${n} ${fmt(v, unit)}`).join('; ') : '—',
      ratio === undefined ? '—' : ratio.toFixed(2),
      target || '—',
    ],
  };
});
const header = ['case', 'native', 'js', 'python', 'peers', 'native÷best-other', 'target'];
const md = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.cells.join(' | ')} |`)].join('\n');

const cpu = cpus();
const model = (() => {
  try { return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]; } catch { return undefined; }
})() ?? cpu[0]?.model ?? 'unknown CPU';
const rust = spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'no rustc';
const meta = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: `${cpu.length} × ${model}`,
  node: process.version,
  rust,
  python: python ?? 'not run (no python3)',
};
console.log(`${meta.date.slice(0, 16).replace('T', ' ')} UTC, ${meta.mode} run; ${meta.machine}; Node ${meta.node}; ${meta.rust}; Python ${meta.python}`);
console.log(md);
console.log('native÷best-other: native value ÷ the best of js, python and peers; below 1 means native wins for "lower is better" rows, above 1 for "higher is better" rows.');
for (const b of ['native', 'js']) {
  const ends = results[b].raceCold?.endValues;
  if (ends) console.log(`seed race, cold, ${b}: end values ${ends.join(', ')} (the seed expects 1; 2 means the second thread read after the first wrote)`);
}
const nodeStart = { asSet: nodeStartMs(process.env), withoutExtraCaCerts: nodeStartMs(childEnv) };
if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
  console.log(`Node's own start here (to the end of its bootstrap, median of 5): ${nodeStart.asSet.toFixed(0)} ms with NODE_EXTRA_CA_CERTS as this environment sets it, ${nodeStart.withoutExtraCaCerts.toFixed(0)} ms without; every Node child above ran without it.`);
}
if (errors.length) console.log('\nNot measured, or left out:\n' + errors.map((e) => `- ${e}`).join('\n'));

if (argv.includes('--json')) {
  writeFileSync(join(here, 'results.json'), JSON.stringify({ meta, nodeStart, rows: rows.map(({ cells, ...r }) => r), raw: results, errors }, null, 2) + '\n');
  log('wrote bench/results.json');
}
if (argv.includes('--svg')) {
  writeFileSync(join(here, 'results.svg'), svg(rows, meta));
  log('wrote bench/results.svg');
}

// ---- chart: per case, each contender's speed relative to the fastest contender in
// that row, on a log scale (full bar = fastest; each grid line = 10× slower)
function svg(rows, meta) {
  const series = [['native', '#d9480f'], ['js', '#1971c2'], ['python', '#2f9e44'], ['best peer', '#868e96']];
  const shown = rows.filter((r) => [r.native, r.js, r.python, r.bestPeer?.[1]].filter((v) => typeof v === 'number').length >= 2);
  const labelW = 330, barW = 420, valW = 150, rowH = 4 * 11 + 12, top = 58;
  const width = labelW + barW + valW + 10, height = top + shown.length * rowH + 20;
  const decades = 4;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">native-threads benchmarks: speed relative to the fastest in each row (log scale)</text>`,
    `<text x="10" y="34" fill="#555">${esc(`${meta.date.slice(0, 10)}, ${meta.machine}, Node ${meta.node}, Python ${meta.python}`)}</text>`,
  ];
  series.forEach(([name, color], i) => {
    parts.push(`<rect x="${labelW + i * 95}" y="42" width="10" height="10" fill="${color}"/><text x="${labelW + 14 + i * 95}" y="51">${name}</text>`);
  });
  for (let d = 0; d <= decades; d++) {
    const x = labelW + barW - (d * barW) / decades;
    parts.push(`<line x1="${x}" y1="${top - 2}" x2="${x}" y2="${height - 16}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${height - 4}" text-anchor="middle" fill="#777">${d === 0 ? '1' : `1/${10 ** d}`}</text>`);
  }
  shown.forEach((r, i) => {
    const y = top + i * rowH;
    const vals = [r.native, r.js, r.python, r.bestPeer?.[1]];
    const speed = (v) => (r.better === 'lower' ? 1 / v : v);
    const best = Math.max(...vals.filter((v) => typeof v === 'number').map(speed));
    parts.push(`<text x="${labelW - 8}" y="${y + 26}" text-anchor="end">${esc(r.label)}</text>`);
    vals.forEach((v, j) => {
      if (typeof v !== 'number') return;
      const rel = speed(v) / best;
      const w = Math.max(2, ((decades + Math.log10(rel)) / decades) * barW);
      const name = j === 3 ? r.bestPeer[0] : '';
      parts.push(`<rect x="${labelW}" y="${y + j * 11}" width="${w.toFixed(1)}" height="9" fill="${series[j][1]}"/>`);
      parts.push(`<text x="${labelW + barW + 6}" y="${y + j * 11 + 8}" fill="#333">${esc(fmt(v, r.unit))}${name ? ` (${esc(name)})` : ''}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
