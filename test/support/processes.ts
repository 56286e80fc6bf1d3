import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The built entry points: dist/src from the sources here (jest), or beside this file when it is built itself (bench/). */
const ENTRY_DIR = [resolve(__dirname, '../../dist/src'), resolve(__dirname, '../../src')].find((dir) => existsSync(join(dir, 'main.js'))) ?? resolve(__dirname, '../../dist/src');

/** A free loopback port, asked of the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  name: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a built entry point (dist/src/...) with its own PORT (LOG_LEVEL warn unless `env` says); resolves once /api/health answers. */
export async function startProcess(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunningProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ENTRY_DIR, entry), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const running: RunningProcess = {
    name,
    port,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return running;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await running.stop('SIGKILL');
      throw new Error(`${name} did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type ProcessSpec = readonly [name: string, entry: string, args?: readonly string[]];

/** The split deployment: API, projections and two worker replicas (engine, scheduler, forwarder). */
export const SPLIT_DEPLOYMENT: readonly ProcessSpec[] = [
  ['api', 'main.js', ['--api-only']],
  ['projections', 'main.projections.js'],
  ['worker-1', 'main.worker.js'],
  ['worker-2', 'main.worker.js'],
];

/**
 * Starts processes all at once, as an orchestrator would (so migrations must not race), in the
 * order given. If one fails to start, the others are stopped and its failure is thrown.
 */
export async function startProcesses(specs: readonly ProcessSpec[], env: NodeJS.ProcessEnv): Promise<RunningProcess[]> {
  const started = await Promise.allSettled(specs.map(([name, entry, args = []]) => startProcess(name, entry, [...args], env)));
  const running = started.filter((s): s is PromiseFulfilledResult<RunningProcess> => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    throw failed.reason;
  }
  return running;
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Signs in to an API process and returns a JSON caller with the bearer token. */
export async function signedInCaller(api: RunningProcess, credentials: { email: string; password: string }): Promise<ApiCall> {
  const url = (path: string) => `http://127.0.0.1:${api.port}${path}`;
  const json = { 'content-type': 'application/json' };
  const login = await fetch(url('/api/auth/login'), { method: 'POST', headers: json, body: JSON.stringify(credentials) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return async (method, path, body) => {
    const res = await fetch(url(path), { method, headers: { ...json, authorization: `Bearer ${accessToken}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}
