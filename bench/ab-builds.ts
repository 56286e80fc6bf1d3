/**
 * What the A/B benches share: each build under test serves from a process of its own (so its CPU time can be read
 * from /proc), started from a `dist/` directory that may be a copy outside this checkout. Rates on these shared
 * machines drift by a third over minutes, so one run before and one after a change say little; the A/B benches run
 * both builds at once and alternate short bursts between them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig, ProcessRoles } from '../src/config';

export interface BuildServer {
  name: string;
  /** http://127.0.0.1:<port> */
  base: string;
  pid: number;
  child: ChildProcess;
}

/** What the parent hands a server: the configuration and roles it serves with. */
export interface ServerSpec {
  config: AppConfig;
  roles: ProcessRoles;
}

/** In the child: serves the build in `dist` as the parent says; prints its port once listening. */
async function serveBuild(dist: string, { config, roles }: ServerSpec): Promise<void> {
  const load = (module: string) => require(resolve(dist, module)) as Record<string, unknown>;
  const { openInfrastructure } = load('src/infrastructure') as { openInfrastructure: typeof import('../src/infrastructure').openInfrastructure };
  const { createApp } = load('src/bootstrap') as { createApp: typeof import('../src/bootstrap').createApp };
  const infra = await openInfrastructure(config, { processName: 'ab-bench' });
  const app = await createApp(infra, roles);
  await app.listen(0, '127.0.0.1');
  console.log(JSON.stringify({ port: (app.getHttpServer().address() as { port: number }).port }));
  process.once('SIGTERM', () => void app.close().then(() => infra.close()).finally(() => process.exit(0)));
}

/** Starts the build in `dist` in a child process (this module is its entry point). */
export function startBuild(name: string, dist: string, spec: ServerSpec): Promise<BuildServer> {
  return new Promise((ready, fail) => {
    // A build copied outside the checkout finds its packages in this checkout's node_modules. The child runs with
    // this process's node flags (the package.json script's, as `npm start` runs the server).
    const env = { ...process.env, NODE_PATH: resolve(__dirname, '../../node_modules') };
    const child = spawn(process.execPath, [...process.execArgv, __filename, 'serve', dist, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'], env });
    child.once('exit', (code) => fail(new Error(`${name} (${dist}) exited with ${code}`)));
    child.stdout!.once('data', (line) => {
      const { port } = JSON.parse(String(line)) as { port: number };
      ready({ name, base: `http://127.0.0.1:${port}`, pid: child.pid!, child });
    });
  });
}

export function stopBuilds(servers: readonly BuildServer[]): Promise<unknown> {
  return Promise.all(servers.map((s) => new Promise((done) => (s.child.removeAllListeners('exit'), s.child.once('exit', done), s.child.kill('SIGTERM')))));
}

/** User plus system CPU time of a process so far, in ms (Linux: clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Per-burst figures of each build, as `{ A: [...], B: [...] }`: their means and the B/A ratios, one line each. */
export function summarise<K extends string>(results: Record<'A' | 'B', Record<K, number>[]>, labels: Record<'A' | 'B', string>, fields: Record<K, string>): string[] {
  const mean = (name: 'A' | 'B', field: K) => results[name].reduce((sum, r) => sum + r[field], 0) / Math.max(1, results[name].length);
  const keys = Object.keys(fields) as K[];
  const line = (name: 'A' | 'B') => `${name} (${labels[name]}): ${keys.map((k) => `${mean(name, k).toFixed(3)} ${fields[k]}`).join(', ')}`;
  return [line('A'), line('B'), `B/A: ${keys.map((k) => `${fields[k]} ${(mean('B', k) / mean('A', k)).toFixed(3)}`).join(', ')}`];
}

if (require.main === module && process.argv[2] === 'serve') {
  serveBuild(process.argv[3], JSON.parse(process.argv[4]) as ServerSpec).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
