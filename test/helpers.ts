/** Shared by the scenario tests: the backend under test and child-process runs. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The backend this run was asked for (test/run.mjs sets it; default native). */
export const requestedBackend = (process.env.NATIVE_THREADS_BACKEND ?? 'native') as 'native' | 'js';

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  elapsed: number;
  /** For each stdout line, milliseconds from spawn to when it arrived. */
  lineTimes: { line: string; at: number }[];
}

/**
 * Runs `file` (a path under the repo; .ts files through tsx) in a child process
 * on the backend under test. Kills it after `killAfterMs` so a hang fails the test
 * instead of stalling the suite.
 */
export function runChild(
  file: string,
  options: { args?: string[]; killAfterMs?: number; env?: Record<string, string> } = {},
): Promise<ChildRun> {
  const args = [...(file.endsWith('.ts') ? ['--import', 'tsx', file] : [file]), ...(options.args ?? [])];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NATIVE_THREADS_BACKEND: requestedBackend, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const lineTimes: ChildRun['lineTimes'] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const at = performance.now() - started;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) lineTimes.push({ line, at });
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, elapsed: performance.now() - started, lineTimes });
    });
  });
}

export function fixture(name: string): string {
  return join('test', 'fixtures', name);
}
