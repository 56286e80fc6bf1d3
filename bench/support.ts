import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { EventEnvelope } from '@contracts';
import { dropSchema, openDatabase, type DatabaseHandle } from '../src/adapters/database/database';
import { loadConfig, type AppConfig } from '../src/config';

/**
 * Shared by the scripts under bench/ (one script per benchmark, DESIGN.md section 11). Benchmarks
 * run against a real PostgreSQL, each in a fresh schema of its own that is dropped at the end.
 */
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A deployment's configuration for the benches: PostgreSQL in `schema`, RabbitMQ in its own namespace when
 * `broker` is given (else the in-process broker), errors-only logs, no rate limit to speak of.
 */
export function benchConfig(schema: string, broker?: { amqpUrl: string; namespace: string }): AppConfig {
  return {
    ...loadConfig({ ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'error' }),
    databaseUrl: DATABASE_URL,
    dataDir: undefined,
    databaseSchema: schema,
    amqpUrl: broker?.amqpUrl,
    ...(broker ? { brokerNamespace: broker.namespace } : {}),
    adminEmail: 'bench@bench.local',
    adminPassword: 'bench-password-1',
    rateLimitPerMinute: 10_000_000,
  };
}

/** Opens a fresh schema, runs `body`, and drops the schema afterwards (also on error and Ctrl-C). */
export async function withBenchSchema<T>(prefix: string, poolSize: number, body: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const handle = await openDatabase({ url: DATABASE_URL, schema, poolSize });
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await handle.close().catch(() => undefined);
      await dropSchema(DATABASE_URL, schema);
    })());
  const onSignal = () => {
    console.error(`\ninterrupted: dropping schema ${schema}`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`database ${redact(DATABASE_URL)}, schema ${schema}, pool ${poolSize}`);
    return await body(handle);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** An event envelope as a decider would build it (same shape as the contract suite's `newEvent`). */
export function envelope<TType extends string, TData>(
  type: TType,
  data: TData,
  overrides: Partial<EventEnvelope['metadata']> = {},
): EventEnvelope<TType, TData> {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { kind: 'system', id: 'bench' },
      workspaceId: 'bench',
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      ...overrides,
    },
  };
}

/** The benchmark line of DESIGN.md section 11. */
export function resultLine(name: string, ours: number, baseline: number): string {
  return `${name}: ours ${rate(ours)}/s, baseline ${rate(baseline)}/s, ratio ${(ours / baseline).toFixed(2)}`;
}

export const rate = (perSecond: number): string => String(Math.round(perSecond));

/** Nearest-rank percentile of unsorted values (sorts a copy). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * CPU time used so far (ms) by this machine's processes of each server kind, read from /proc:
 * `node` (every node process: the app, its split processes, the bench and its load thread),
 * `rabbitmq` (beam.smp) and `postgres`. Over a phase divided by its runs, a figure that varies
 * far less from run to run than the rate does. Empty off Linux.
 */
export function cpuByServer(): Record<'node' | 'rabbitmq' | 'postgres', number> {
  const totals = { node: 0, rabbitmq: 0, postgres: 0 };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return totals;
  }
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const kind = name === 'node' || name.startsWith('node ') ? 'node' : name === 'beam.smp' ? 'rabbitmq' : name === 'postgres' ? 'postgres' : undefined;
    if (!kind) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    totals[kind] += (Number(fields[11]) + Number(fields[12])) * tick; // utime, stime
  }
  return totals;
}

/** `cpuByServer` differences per run (or per `what`), as one line: "CPU per run: node 9.1, rabbitmq 3.2, postgres 2.4, total 14.7 ms". */
export function cpuPerRunLine(before: ReturnType<typeof cpuByServer>, after: ReturnType<typeof cpuByServer>, runs: number, what = 'run'): string {
  const digits = what === 'run' ? 1 : 3; // a webhook request costs well under a millisecond
  const per = (k: keyof typeof before) => ((after[k] - before[k]) / Math.max(1, runs)).toFixed(digits);
  const total = ((after.node + after.rabbitmq + after.postgres - before.node - before.rabbitmq - before.postgres) / Math.max(1, runs)).toFixed(digits);
  return `CPU per ${what}: node ${per('node')}, rabbitmq ${per('rabbitmq')}, postgres ${per('postgres')}, total ${total} ms`;
}

/**
 * The machine's CPU time so far, from /proc/stat: all of it and what the hypervisor gave to other
 * guests (steal), in clock ticks. Over a phase, `stealShare` tells a run on a starved VM (seen
 * here: 0% most hours, 25% and more in others, when every rate fell by half) from a slower build.
 * Zeros off Linux.
 */
export function machineTicks(): { total: number; steal: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return { total: 0, steal: 0 };
  }
}

/** "steal 3%": the share of the machine's CPU time the hypervisor gave elsewhere between two readings. */
export function stealShare(before: ReturnType<typeof machineTicks>, after: ReturnType<typeof machineTicks>): string {
  const total = after.total - before.total;
  return `steal ${total > 0 ? Math.round((100 * (after.steal - before.steal)) / total) : 0}%`;
}
