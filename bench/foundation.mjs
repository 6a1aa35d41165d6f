// Quick figures for the foundation (not the benchmark suite, which is its own
// issue): spawn→join of an empty function on a warm pool, uncontended
// acquire+release, and cross-thread Queue throughput (one producer thread, one
// consumer thread, count and checksum checked). Each backend runs in its own
// process. Usage: node bench/foundation.mjs [--backend native|js]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const { Lock, Queue, spawn, prestart, backend } = await import('native-threads');
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  await prestart(2);
  for (let i = 0; i < 200; i++) spawn(() => {}).join();
  const spawnRuns = [];
  for (let r = 0; r < 9; r++) {
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) spawn(() => {}).join();
    spawnRuns.push(((performance.now() - t0) / n) * 1000);
  }

  const lock = new Lock();
  const lockRuns = [];
  for (let r = 0; r < 9; r++) {
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
    lockRuns.push(((performance.now() - t0) / n) * 1e6);
  }

  const queueRuns = [];
  for (let r = 0; r < 5; r++) {
    const n = 200_000;
    const q = new Queue(1024);
    const consumer = spawn((q, n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += q.get();
      return sum;
    }, q, n);
    const t0 = performance.now();
    spawn((q, n) => {
      for (let i = 0; i < n; i++) q.put(i);
    }, q, n).join();
    const sum = consumer.join();
    const seconds = (performance.now() - t0) / 1000;
    if (sum !== (n * (n - 1)) / 2) throw new Error(`queue checksum wrong: ${sum}`);
    queueRuns.push(n / seconds);
  }
  process.stdout.write(JSON.stringify({
    backend,
    spawnJoinUs: median(spawnRuns),
    acquireReleaseNs: median(lockRuns),
    queueItemsPerSec: median(queueRuns),
  }));
} else {
  const only = argv.includes('--backend') ? [argv[argv.indexOf('--backend') + 1]] : ['native', 'js'];
  const rows = only.map((backend) => {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
      env: { ...process.env, NATIVE_THREADS_BACKEND: backend },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`${backend} run failed`);
    return JSON.parse(run.stdout);
  });
  const cpu = cpus();
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}`);
  console.log('case                                   | ' + rows.map((r) => r.backend.padStart(12)).join(' | '));
  console.log('spawn→join, empty function, warm (µs)  | ' + rows.map((r) => r.spawnJoinUs.toFixed(1).padStart(12)).join(' | '));
  console.log('uncontended acquire+release (ns)       | ' + rows.map((r) => r.acquireReleaseNs.toFixed(0).padStart(12)).join(' | '));
  console.log('queue, thread → thread (items/s)       | ' + rows.map((r) => Math.round(r.queueItemsPerSec).toLocaleString('en').padStart(12)).join(' | '));
}
