// The whole test suite: the vitest suite once per backend, each in its own
// processes (NATIVE_THREADS_BACKEND set through the child's env, so it works on
// Windows too), then the packaging proof (scripts/pack-proof.mjs: npm pack, install
// the tarballs offline in empty projects, run there), then the Rust crate's tests.
// Ends with one summary line.
// Usage: node test/run.mjs [--backend native|js] [--no-cargo] [vitest args...]
import { spawnSync } from 'node:child_process';
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

for (const backend of backends) {
  console.log(`\n##### vitest, backend ${backend}`);
  const report = join(scratch, `vitest-${backend}.json`);
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...passThrough],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NATIVE_THREADS_BACKEND: backend } },
  );
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + (json.numTodoTests ?? 0);
    if (json.numFailedTests > 0 || run.status !== 0) problems.push(`vitest (${backend}): exit ${run.status}, ${json.numFailedTests} failed`);
  } catch {
    failed++;
    problems.push(`vitest (${backend}): no report (exit ${run.status ?? run.signal})`);
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
