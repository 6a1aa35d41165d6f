// The packaging proof: what `npm install native-threads` gives a user, checked on
// this machine from tarballs, offline, with no Rust on PATH.
//   1. metadata: napi.targets, npm/<platform>/ and the loader's list of prebuilt
//      platforms agree; no optionalDependencies committed; the workflows parse;
//   2. `npm pack` the main package (file list: no Rust, no target/, no tests; size)
//      and this platform's package (the .node built here copied into npm/<platform>/);
//   3. project A installs both tarballs: the seed race prints 1, the locked one 2,
//      on backend native, silently, through `import` and `require`;
//   4. project B installs only the main tarball: the same on backend js with the
//      one-line notice; NATIVE_THREADS_BACKEND=native fails at import with the
//      reason and the fix; the types check under tsc --strict for ESM and CJS.
// Ends with "pack-proof: N passed, N failed, N skipped" (test/run.mjs reads it).
// Usage: node scripts/pack-proof.mjs [--keep]   (--keep leaves the temp dir)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const keep = process.argv.includes('--keep');
const started = Date.now();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

let passed = 0;
let failed = 0;
let skipped = 0;
function check(what, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  return ok;
}
function skip(what, why) {
  skipped++;
  console.log(`skip ${what}: ${why}`);
}

const scratch = mkdtempSync(join(tmpdir(), 'native-threads-pack-'));

// ---------------------------------------------------------------------------
// The environment of every child: npm and node only, no cargo or rustc, no npm
// config inherited from an enclosing `npm test`, a private empty cache and an
// unreachable registry, so an attempt to fetch anything fails instead of passing.
// ---------------------------------------------------------------------------
function findNpmCli() {
  const candidates = [
    process.env.npm_execpath,
    join(dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  // else the npm on PATH (a node from the `node` npm package has no npm beside it)
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'npm');
    if (!existsSync(bin)) continue;
    const real = realpathSync(bin);
    candidates.push(real, join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  }
  return candidates.find((c) => c && c.endsWith('npm-cli.js') && existsSync(c));
}
const npmCli = findNpmCli();

function onPath(dirs, command) {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return dirs.some((d) => exts.some((e) => existsSync(join(d, command + e))));
}
let binDir = dirname(process.execPath);
if (onPath([binDir], 'cargo') || onPath([binDir], 'rustc')) {
  // node shares its directory with Rust: give the children a directory of their own
  binDir = join(scratch, 'bin');
  mkdirSync(binDir);
  symlinkSync(process.execPath, join(binDir, basename(process.execPath)));
}
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^path$/i.test(k) && !/^npm_/i.test(k) && k !== 'NATIVE_THREADS_BACKEND' && !k.startsWith('NAPI_RS_'),
  ),
);
Object.assign(childEnv, {
  PATH: binDir,
  npm_config_cache: join(scratch, 'npm-cache'),
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
});

function npm(args, cwd) {
  if (!npmCli) return { status: null, stdout: '', stderr: 'no npm-cli.js found next to node or on PATH (set npm_execpath)' };
  return spawnSync(process.execPath, [npmCli, ...args], { cwd, env: childEnv, encoding: 'utf8' });
}
function node(args, cwd, env = {}) {
  return spawnSync(process.execPath, args, { cwd, env: { ...childEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
}

// ---------------------------------------------------------------------------
console.log('## metadata');
const platformName = (() => {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const report = process.report?.getReport();
    return `${platform}-${arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `${platform}-${arch}-msvc`;
  return `${platform}-${arch}`;
})();
const binaryName = pkg.napi.binaryName;
const npmDirs = readdirSync(join(root, 'npm')).filter((d) => existsSync(join(root, 'npm', d, 'package.json'))).sort();
check('npm/<platform>/ has one package per napi target', npmDirs.length === pkg.napi.targets.length && npmDirs.length >= 8, npmDirs.join(' '));
{
  const { prebuiltPlatforms } = await import(pathToFileURL(join(root, 'dist', 'internal.js')).href);
  const same = JSON.stringify([...prebuiltPlatforms].sort()) === JSON.stringify(npmDirs);
  check("the loader's prebuilt list (src/backend/select.ts) matches npm/", same, same ? '' : `${prebuiltPlatforms}`);
}
{
  const bad = [];
  for (const dir of npmDirs) {
    const p = JSON.parse(readFileSync(join(root, 'npm', dir, 'package.json'), 'utf8'));
    const node = `${binaryName}.${dir}.node`;
    if (p.name !== `${pkg.name}-${dir}`) bad.push(`${dir}: name ${p.name}`);
    if (p.version !== pkg.version) bad.push(`${dir}: version ${p.version} != ${pkg.version}`);
    if (p.main !== node || JSON.stringify(p.files) !== JSON.stringify([node])) bad.push(`${dir}: main/files`);
    if (!p.os?.length || !p.cpu?.length || (dir.startsWith('linux-') && !p.libc?.length)) bad.push(`${dir}: os/cpu/libc`);
  }
  check('each platform package is named, versioned and restricted (os, cpu, libc) for its platform', bad.length === 0, bad.join('; '));
}
check(
  'no optionalDependencies committed (napi prepublish adds them at publish time)',
  pkg.optionalDependencies === undefined,
  JSON.stringify(pkg.optionalDependencies ?? {}),
);
{
  const dir = join(root, '.github', 'workflows');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  check('.github/workflows has a CI and a release workflow', files.includes('CI.yml') && files.includes('release.yml'), files.join(' '));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const docs = parseAllDocuments(text);
    const errors = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
    let shape = '';
    if (errors.length === 0) {
      const wf = parseYaml(text);
      if (!wf?.on || !wf?.jobs) shape = 'no `on` or no `jobs`';
      for (const [id, job] of Object.entries(wf?.jobs ?? {})) {
        if (!job['runs-on'] || !Array.isArray(job.steps) || job.steps.length === 0) shape = `job ${id} lacks runs-on or steps`;
        for (const s of job.steps ?? []) if (!s.uses && !s.run) shape = `a step of ${id} has neither uses nor run`;
      }
    }
    check(`${f} parses as YAML and has the shape of a workflow`, errors.length === 0 && shape === '', [...errors, shape].filter(Boolean).join('; '));
  }
}

// ---------------------------------------------------------------------------
console.log('\n## npm pack');
function pack(dir) {
  const r = npm(['pack', '--json', '--pack-destination', scratch], dir);
  if (r.status !== 0) return { error: `npm pack exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { ...info, path: join(scratch, info.filename) };
}
const main = pack(root);
let mainOk = check('npm pack of the main package', !main.error, main.error);
if (mainOk) {
  const files = main.files.map((f) => f.path);
  const forbidden = files.filter((f) =>
    /\.rs$|(^|\/)target\/|(^|\/)tests?\/|\.test\.|Cargo\.(toml|lock)$|\.node$|^npm\/|^src\/|^scripts\/|^\.github\//.test(f),
  );
  check('the main tarball holds no Rust sources, target/, tests, .node or npm/', forbidden.length === 0, forbidden.join(' '));
  const required = ['package.json', 'index.d.ts', 'dist/index.js', 'crate/binding.cjs'];
  const missing = required.filter((f) => !files.includes(f));
  check('the main tarball holds package.json, index.d.ts, dist/ and the loader', missing.length === 0, missing.join(' '));
  console.log(
    `     ${main.filename}: ${main.entryCount} files, ${(main.size / 1024).toFixed(1)} kB packed, ${(main.unpackedSize / 1024).toFixed(1)} kB unpacked`,
  );
}

const built = join(root, 'crate', `${binaryName}.${platformName}.node`);
let platformTarball;
if (!npmDirs.includes(platformName)) {
  skip(`packing a platform package for ${platformName}`, 'no prebuilt package for this platform');
} else if (!existsSync(built)) {
  skip(`packing native-threads-${platformName}`, `no ${basename(built)} built here (no cargo?)`);
} else {
  // what `napi artifacts` does in the release workflow, for this one platform
  const dir = join(root, 'npm', platformName);
  copyFileSync(built, join(dir, basename(built)));
  const p = pack(dir);
  if (check(`npm pack of native-threads-${platformName} (${basename(built)} copied in)`, !p.error && p.files.some((f) => f.path === basename(built)), p.error)) {
    platformTarball = p.path;
    console.log(`     ${p.filename}: ${p.entryCount} files, ${(p.size / 1024 / 1024).toFixed(1)} MB packed`);
  }
}

// ---------------------------------------------------------------------------
// The program: the seed race (02) and the locked version (03) in one process.
const program = `
async function increase(database_value) {
  const { sleep } = await import('native-threads');
  let local_copy = database_value.value;
  sleep(100);
  local_copy += 1;
  database_value.value = local_copy;
}
async function increaseLocked(lock, database_value) {
  const { sleep } = await import('native-threads');
  lock.acquire();
  let local_copy = database_value.value;
  local_copy += 1;
  sleep(100);
  database_value.value = local_copy;
  lock.release();
}
function twice(target, args) {
  const t1 = new Thread({ target, args });
  const t2 = new Thread({ target, args });
  t1.start(); t2.start();
  t1.join(); t2.join();
}
const race = new Value('i32', 0);
twice(increase, [race]);
console.log('race', race.value);
const locked = new Value('i32', 0);
twice(increaseLocked, [new Lock(), locked]);
console.log('locked', locked.value);
console.log('backend', backend);
`;

function project(name, tarballs) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `proof-${name}`, private: true, version: '0.0.0' }, null, 2));
  writeFileSync(join(dir, 'esm.mjs'), `import { Thread, Value, Lock, backend } from 'native-threads';\n${program}`);
  writeFileSync(join(dir, 'cjs.cjs'), `const { Thread, Value, Lock, backend } = require('native-threads');\n${program}`);
  const t = Date.now();
  const r = npm(['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', ...tarballs], dir);
  const ok = check(
    `${name}: npm install --offline of ${tarballs.map((t) => basename(t)).join(' + ')} with no cargo/rustc on PATH`,
    r.status === 0,
    r.status === 0 ? `${Date.now() - t} ms` : r.stderr.trim().split('\n').slice(-4).join(' | '),
  );
  return ok ? dir : undefined;
}

function expectRun(dir, file, backend, noticeFor) {
  const want = `race 1 / locked 2 / backend ${backend}`;
  // The unlocked race ends at 1 only if the second thread reads before the first
  // writes, 100 ms later (the seed's timing); a loaded machine can miss that once.
  let r;
  let printed;
  const earlier = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    r = node([file], dir);
    printed = r.stdout.trim().split('\n').join(' / ');
    if (r.status === 0 && printed === want) break;
    earlier.push(printed);
  }
  const retried = earlier.length > 0 && printed === want ? ` (2nd attempt; the 1st printed ${earlier[0]})` : '';
  check(`${basename(dir)}: node ${file} prints race 1, locked 2, backend ${backend}`, r.status === 0 && printed === want, `${printed}${retried}${r.status !== 0 ? ` (exit ${r.status ?? r.signal}) ${r.stderr.trim().split('\n')[0]}` : ''}`);
  const err = r.stderr.trim();
  if (noticeFor === undefined) {
    check(`${basename(dir)}: node ${file} writes nothing to stderr`, err === '', err);
  } else {
    const lines = err === '' ? [] : err.split('\n');
    check(
      `${basename(dir)}: node ${file} says once, on stderr, that it uses the js backend and which package would fit`,
      lines.length === 1 && lines[0].includes('using the js backend') && lines[0].includes(noticeFor) && lines[0].includes(platformName),
      err,
    );
  }
}

const tscBin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
function typecheck(dir) {
  writeFileSync(
    join(dir, 'consumer-esm.mts'),
    "import { Lock, Queue, Thread, Value, backend } from 'native-threads';\n" +
      "const q = new Queue<number>();\nq.put(1);\nconst n: number = q.get();\nconst lock = new Lock();\nlock.with(() => n + 1);\n" +
      "const v = new Value('i32', 0);\nconst t = new Thread({ target: (x: number) => x * 2, args: [21] });\nconst b: 'native' | 'js' = backend;\nexport { t, v, b };\n",
  );
  writeFileSync(
    join(dir, 'consumer-cjs.cts'),
    "import nt = require('native-threads');\nimport type { Lock } from 'native-threads';\n" +
      "const lock: Lock = new nt.Lock();\nconst ok: boolean = lock.acquire({ timeout: 10 });\nconst b: 'native' | 'js' = nt.backend;\nexport = { ok, b };\n",
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
        lib: ['es2024', 'esnext.disposable'], skipLibCheck: false,
        // index.d.ts names URL and AbortSignal: a Node consumer has @types/node
        typeRoots: [join(root, 'node_modules', '@types')], types: ['node'],
      },
      files: ['consumer-esm.mts', 'consumer-cjs.cts'],
    }, null, 2),
  );
  const r = node([tscBin, '-p', 'tsconfig.json'], dir);
  check(`${basename(dir)}: index.d.ts checks under tsc --strict for an ESM (.mts) and a CJS (.cts) consumer`, r.status === 0, (r.stdout + r.stderr).trim());
}

if (!npmCli) {
  check('found npm-cli.js to run npm with', false, 'set npm_execpath');
} else {
  check('no cargo or rustc on the PATH the installs and programs run with', node(['-e', "require('child_process').execFileSync('cargo',['--version'])"], scratch).status !== 0 && !onPath([binDir], 'rustc'), binDir);
}

if (mainOk && platformTarball) {
  console.log('\n## project A: main package + platform package');
  const dir = project('with-binary', [main.path, platformTarball]);
  if (dir) {
    expectRun(dir, 'esm.mjs', 'native');
    expectRun(dir, 'cjs.cjs', 'native');
  }
} else skip('project A (main + platform package)', 'no platform tarball');

if (mainOk) {
  console.log('\n## project B: main package only');
  const dir = project('js-only', [main.path]);
  if (dir) {
    const fits = npmDirs.includes(platformName) ? `${pkg.name}-${platformName}` : 'no prebuilt binary';
    expectRun(dir, 'esm.mjs', 'js', fits);
    expectRun(dir, 'cjs.cjs', 'js', fits);
    const forced = node(['esm.mjs'], dir, { NATIVE_THREADS_BACKEND: 'native' });
    const message = forced.stderr.split('\n').find((l) => l.startsWith('Error: native-threads:')) ?? forced.stderr;
    check(
      `${basename(dir)}: NATIVE_THREADS_BACKEND=native fails at import, naming the platform, the package and the fix`,
      forced.status !== 0 && forced.stdout === '' && message.includes(platformName) && message.includes(fits) && /To fix: .*install|npm run build/.test(message),
      message.trim(),
    );
    typecheck(dir);
  }
}

rmSync(join(root, 'npm', platformName, `${binaryName}.${platformName}.node`), { force: true });
if (keep) console.log(`\nkept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
console.log(`\npack-proof: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed === 0 ? 0 : 1);
