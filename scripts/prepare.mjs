// Installs and builds what the demo and the tests need, doing only what is stale:
//   1. npm dependencies (npm ci) when node_modules is missing or older than the lockfile;
//   2. the native addon (napi build) when cargo exists and the Rust sources are newer
//      than the built .node; without cargo the js backend is used;
//   3. the TypeScript build (dist/) when src/ is newer than it: one esbuild bundle
//      whose entries share one chunk (a pool worker loads 3 files, its entry, the
//      chunk and index.js, instead of 27 modules: ~30 ms less CPU per boot), and the
//      vault as a bundle of its own;
//   4. with --examples, the seed examples as plain JS (examples/.compiled/) for the
//      demo, which then runs them without a TypeScript loader in every thread.
// Usage: node scripts/prepare.mjs [--release] [--force] [--examples] [napi build flags...]
//        node scripts/prepare.mjs --ts      (only step 3, always: npm run build:ts)
//   Other flags go to `napi build` and force the addon build, as the release workflow does:
//   npm run build -- --target aarch64-unknown-linux-gnu --use-napi-cross
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const release = process.argv.includes('--release');
const examples = process.argv.includes('--examples');
const tsOnly = process.argv.includes('--ts');
const napiFlags = process.argv.slice(2).filter((a) => !['--release', '--force', '--examples', '--ts'].includes(a));
const force = process.argv.includes('--force');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function run(command, args, what) {
  console.error(`prepare: ${what}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`prepare: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function has(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
}

// 1. and 2. (not with --ts)
if (!tsOnly) {
  // 1. dependencies
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (force || !existsSync(installed) || newest(lock) > newest(installed)) {
    run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], 'installing npm dependencies');
  }

  // 2. native addon
  const addon = readdirSync(join(root, 'crate')).filter((f) => f.endsWith('.node')).map((f) => join(root, 'crate', f));
  const builtAt = Math.min(...addon.map(newest), addon.length === 0 ? 0 : Infinity);
  const rustChanged = Math.max(newest(join(root, 'crate', 'src')), newest(join(root, 'crate', 'Cargo.toml')), newest(join(root, 'Cargo.lock')));
  if (force || napiFlags.length > 0 || addon.length === 0 || rustChanged > builtAt || release) {
    if (has('cargo')) {
      const napi = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
      const args = [napi, 'build', '--platform', '--manifest-path', 'crate/Cargo.toml', '--js', 'binding.cjs', '--dts', 'binding.d.cts'];
      if (release) args.push('--release');
      args.push(...napiFlags);
      run(process.execPath, args, `building the native addon (${release ? 'release' : 'debug'})`);
    } else {
      console.error('prepare: no cargo on PATH, so no native addon is built; the js backend will be used');
    }
  }
}

// 3. TypeScript
// internal.ts: the package's internals for the tests (not exported by package.json)
const entries = ['src/index.ts', 'src/worker-entry.ts', 'src/internal.ts'];
if (tsOnly || force || newest(join(root, 'src')) > newest(join(root, 'dist', 'index.js'))) {
  console.error('prepare: bundling src/ into dist/');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const { build } = await import('esbuild');
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: 'dist',
    sourcemap: true,
    // Class and function names are API (a Queue's constructor.name, error names): keep them
    // where the bundle renames a clashing identifier.
    keepNames: true,
    logLevel: 'warning',
  };
  // Every entry reaches the whole package (worker-entry.ts and internal.ts import
  // index.ts), so the split leaves one shared chunk: each module costs a booting
  // worker ~1 ms, and three chunks became one (prestart(6) 193-231 → 171-194 ms in
  // alternating runs). The vault shares no module instance with anyone (an isolate
  // of its own that runs no user code), so it is bundled whole, apart.
  await Promise.all([
    build({ ...common, entryPoints: entries, splitting: true, chunkNames: 'shared-[hash]' }),
    build({ ...common, entryPoints: ['src/vault.ts'] }),
  ]).catch(() => {
    console.error('prepare: bundling src/ into dist/ failed');
    process.exit(1);
  });
}

// 4. examples, transpiled one file at a time (no type check: npm test type-checks them)
if (examples) {
  const from = join(root, 'examples');
  const to = join(from, '.compiled');
  const sources = readdirSync(from).filter((f) => f.endsWith('.ts'));
  if (force || sources.some((f) => newest(join(from, f)) > newest(join(to, f.replace(/\.ts$/, '.js'))))) {
    console.error('prepare: transpiling examples/*.ts to examples/.compiled/');
    const { default: ts } = await import(join(root, 'node_modules', 'typescript', 'lib', 'typescript.js'));
    mkdirSync(to, { recursive: true });
    for (const f of sources) {
      const { outputText } = ts.transpileModule(readFileSync(join(from, f), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
        fileName: f,
      });
      writeFileSync(join(to, f.replace(/\.ts$/, '.js')), outputText);
    }
  }
}
