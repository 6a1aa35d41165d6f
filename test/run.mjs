// The whole test suite: the vitest suite once per backend, each in its own
// processes (NATIVE_THREADS_BACKEND set through the child's env, so it works on
// Windows too), then the packaging proof (scripts/pack-proof.mjs: npm pack, install
// the tarballs offline in empty projects, run there), then the Rust crate's tests.
// Ends with one summary line.
// Usage: node test/run.mjs [--backend native|js] [--no-cargo] [vitest args...]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const only = argv.includes('--backend') ? argv[argv.indexOf('--backend') + 1] : undefined;
const noCargo = argv.includes('--no-cargo');
const passThrough = argv.filter((a, i) => a !== '--no-cargo' && a !== '--backend' && argv[i - 1] !== '--backend');
const backends = only ? [only] : ['native', 'js'];

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
const scratch = mkdtempSync(join(tmpdir(), 'native-threads-test-'));

// The public types (index.d.ts) against the tests and examples that use them.
console.log('\n##### typecheck (tsc --noEmit)');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
if (tsc.status === 0) passed++;
else {
  failed++;
  problems.push(`typecheck: tsc exited ${tsc.status}`);
}

// A test that blocks the thread vitest runs it on (a sync wait that never ends)
// stops vitest's timeouts too: past this limit the run is killed, with the
// processes it started, and reported as a hang.
const VITEST_LIMIT_MS = 15 * 60_000;

/** `pid` and its descendants, parents first (POSIX `ps`; Windows' taskkill finds them itself). */
function processTree(pid) {
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  const children = new Map();
  for (const line of table.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

function killTree(pid) {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F']);
    return;
  }
  for (const p of processTree(pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs vitest with `args` and `env`; resolves with its exit code (or signal), and `hung` once killed at the limit. */
function runVitest(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env });
    let hung = false;
    const limit = setTimeout(() => {
      hung = true;
      killTree(child.pid);
    }, VITEST_LIMIT_MS);
    child.on('exit', (status, signal) => {
      clearTimeout(limit);
      resolve({ status: status ?? signal, hung });
    });
  });
}

for (const backend of backends) {
  console.log(`\n##### vitest, backend ${backend}`);
  const report = join(scratch, `vitest-${backend}.json`);
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const run = await runVitest(
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...passThrough],
    { ...process.env, NATIVE_THREADS_BACKEND: backend },
  );
  if (run.hung) {
    failed++;
    problems.push(`vitest (${backend}): killed after ${VITEST_LIMIT_MS / 60_000} min; a test hung`);
    continue;
  }
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + (json.numTodoTests ?? 0);
    if (json.numFailedTests > 0 || run.status !== 0) problems.push(`vitest (${backend}): exit ${run.status}, ${json.numFailedTests} failed`);
  } catch {
    failed++;
    problems.push(`vitest (${backend}): no report (exit ${run.status})`);
  }
}

if (!only) {
  console.log('\n##### packaging proof (scripts/pack-proof.mjs)');
  const proof = spawnSync(process.execPath, [join(root, 'scripts', 'pack-proof.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(proof.stdout ?? '');
  const m = /pack-proof: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(proof.stdout ?? '');
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3]);
  }
  if (!m || proof.status !== 0) problems.push(`pack proof: exit ${proof.status ?? proof.signal}${m ? `, ${m[2]} failed` : ', no summary'}`);
}

if (!noCargo && !only) {
  console.log('\n##### cargo test');
  const cargo = spawnSync('cargo', ['test', '--workspace', '--quiet'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (cargo.error) {
    problems.push(`cargo test: ${cargo.error.message}`);
    failed++;
  } else {
    process.stdout.write(cargo.stdout);
    for (const m of cargo.stdout.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
      passed += Number(m[1]);
      failed += Number(m[2]);
      skipped += Number(m[3]);
    }
    if (cargo.status !== 0) problems.push(`cargo test: exit ${cargo.status}`);
  }
}

rmSync(scratch, { recursive: true, force: true });
for (const p of problems) console.log(`FAILED: ${p}`);
if (problems.length > 0 && failed === 0) failed = problems.length;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length === 0 && failed === 0 ? 0 : 1);
