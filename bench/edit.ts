/**
 * Benchmark: one graph edit (ConfigureStep -> StepConfigured) through handleCommand on a workflow
 * whose stream holds 10,000 events, beside the same command on a fresh workflow (created, one step
 * added), interleaved in the same run, on real PostgreSQL. Both go through one StateCache, as in
 * the API process; the cold first command (cache miss: the whole stream is read and folded) and the
 * command without a cache (every command folds the whole stream, as before the cache) are shown too.
 *
 *   node scripts/build-if-stale.js --api && node dist/bench/edit.js
 *   DATABASE_URL=postgres://... BENCH_EDITS=500 BENCH_EVENTS=10000 node dist/bench/edit.js
 *
 * Target (issue): on the 10k-event stream, p50 and p99 at most 2x the fresh workflow's.
 */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope, WorkflowCommand } from '@contracts';
import { workflowStream } from '@contracts';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres.event-store';
import { deterministicId, handleCommand, type CommandOptions } from '../src/commands/handle-command';
import { StateCache } from '../src/commands/state-cache';
import { workflowDecider } from '../src/domain/workflow/workflow.decider';
import { envelope, nowMs, percentile, withBenchSchema } from './support';

const EVENTS = count('BENCH_EVENTS', 10_000);
const EDITS = count('BENCH_EDITS', 500);
const WARMUP = Math.min(50, EDITS);
const COLD_RUNS = 5;
const UNCACHED_RUNS = 20;
const BATCH = 1_000;
const TARGET_RATIO = 2;

function command<T extends WorkflowCommand['type']>(type: T, data: Extract<WorkflowCommand, { type: T }>['data']) {
  const commandId = randomUUID();
  return {
    type,
    data,
    metadata: {
      commandId,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { kind: 'user', id: 'bench', name: 'Bench' },
      workspaceId: 'bench',
      occurredAt: new Date().toISOString(),
    },
  } as Extract<WorkflowCommand, { type: T }>;
}

const step = { id: 'mail', name: 'Welcome', type: 'create_task', config: { title: 'Welcome' }, position: { x: 0, y: 0 }, errorStrategy: 'fail' as const };

interface Bench {
  store: PostgresEventStore;
  run(workflowId: string, c: WorkflowCommand, options: CommandOptions): Promise<bigint>;
}

/** A workflow with one step: created and edited through handleCommand. */
async function freshWorkflow(b: Bench, options: CommandOptions): Promise<string> {
  const workflowId = randomUUID();
  await b.run(workflowId, command('CreateWorkflow', { workflowId, name: 'Fresh' }), options);
  await b.run(workflowId, command('AddStep', { workflowId, step }), options);
  return workflowId;
}

/**
 * A workflow whose stream holds `EVENTS` events: created and given its step through handleCommand,
 * then the edits a long design session leaves (StepConfigured / StepMoved, as the decider emits them,
 * one command id each) appended in batches.
 */
async function longWorkflow(b: Bench): Promise<string> {
  const workflowId = await freshWorkflow(b, { cache: false });
  const streamId = workflowStream(workflowId);
  for (let revision = 2; revision < EVENTS; ) {
    const events: EventEnvelope[] = [];
    for (; events.length < BATCH && revision + events.length < EVENTS; ) {
      const n = revision + events.length;
      const commandId = randomUUID();
      const meta = { causationId: commandId, eventId: deterministicId(commandId, 0) };
      events.push(
        n % 2 === 0
          ? envelope('StepConfigured', { workflowId, stepId: step.id, config: { title: `Welcome ${n}`, priority: 'high' } }, meta)
          : envelope('StepMoved', { workflowId, stepId: step.id, position: { x: n % 800, y: n % 600 } }, meta),
      );
    }
    await b.store.appendToStream(streamId, events, { expectedRevision: BigInt(revision - 1) });
    revision += events.length;
  }
  return workflowId;
}

const configure = (workflowId: string, n: number) =>
  command('ConfigureStep', { workflowId, stepId: step.id, config: { title: `Edit ${n}`, priority: 'low' } });

async function timed(body: () => Promise<unknown>): Promise<number> {
  const t0 = nowMs();
  await body();
  return nowMs() - t0;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const summary = (values: number[]) => `p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))}`;

async function main(): Promise<void> {
  console.log(`edit benchmark: ConfigureStep on a ${EVENTS}-event stream vs a fresh workflow, ${EDITS} edits each (+${WARMUP} warm-up), interleaved`);
  await withBenchSchema('bench_edit', 4, async (handle) => {
    const store = new PostgresEventStore(handle);
    await store.init();
    const b: Bench = {
      store,
      run: async (workflowId, c, options) => (await handleCommand(store, workflowDecider, workflowStream(workflowId), c, options)).revision,
    };

    const t0 = nowMs();
    const long = await longWorkflow(b);
    const longStream = workflowStream(long);
    const built = await store.readStream(longStream, { direction: 'backwards', limit: 1 });
    if (built[0]?.revision !== BigInt(EVENTS - 1)) throw new Error(`setup: the stream ends at ${built[0]?.revision}, not ${EVENTS - 1}`);
    console.log(`setup: ${EVENTS} events in ${longStream} in ${((nowMs() - t0) / 1000).toFixed(1)} s`);

    // Cold: a cache that has never seen the stream (a restarted API process): the whole stream is read once.
    const cold: number[] = [];
    const coldFresh: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const cache = new StateCache();
      cold.push(await timed(() => b.run(long, configure(long, i), { cache })));
      const fresh = await freshWorkflow(b, { cache: false });
      coldFresh.push(await timed(() => b.run(fresh, configure(fresh, i), { cache: new StateCache() })));
    }
    // Without a cache: every command reads and folds the whole stream (the behaviour before the cache).
    const uncached: number[] = [];
    const uncachedFresh: number[] = [];
    for (let i = 0; i < UNCACHED_RUNS; i++) {
      uncached.push(await timed(() => b.run(long, configure(long, i), { cache: false })));
      const fresh = await freshWorkflow(b, { cache: false });
      uncachedFresh.push(await timed(() => b.run(fresh, configure(fresh, i), { cache: false })));
    }

    // Warm: the normal case, one API process handling the edits with its cache.
    const cache = new StateCache();
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
      const a = await timed(() => b.run(long, configure(long, i), { cache }));
      const fresh = await freshWorkflow(b, { cache });
      const f = await timed(() => b.run(fresh, configure(fresh, i), { cache }));
      if (i >= WARMUP) {
        ours.push(a);
        baseline.push(f);
      }
    }

    // The cached state must be the fold of the stream as stored, and the stream gapless.
    await b.run(long, command('RestoreWorkflow', { workflowId: long }), { cache });
    const events = await store.readStream(longStream);
    const folded = events.reduce((s, e) => workflowDecider.evolve(s, e as never), workflowDecider.initialState());
    const entry = cache.get(workflowDecider, longStream);
    const gapless = events.every((e, i) => e.revision === BigInt(i));
    if (!entry || entry.revision !== events[events.length - 1].revision || JSON.stringify(entry.state) !== JSON.stringify(folded) || !gapless) {
      throw new Error('check failed: the cached state is not the fold of the stored stream');
    }

    const p50 = percentile(ours, 50) / percentile(baseline, 50);
    const p99 = percentile(ours, 99) / percentile(baseline, 99);
    console.log(
      `edit: ours ${summary(ours)} (10k-event stream, ${EVENTS} -> ${events.length} events), baseline ${summary(baseline)} (fresh stream), ` +
        `ratio ${p50.toFixed(2)} (p50) ${p99.toFixed(2)} (p99)`,
    );
    console.log(`edit cold (cache miss, whole stream read): first command ${ms(cold[0])}, ${COLD_RUNS} runs ${summary(cold)}; fresh stream ${summary(coldFresh)}`);
    console.log(
      `edit without cache (before): ${summary(uncached)} (10k-event stream), ${summary(uncachedFresh)} (fresh stream), ` +
        `ratio ${(percentile(uncached, 50) / percentile(uncachedFresh, 50)).toFixed(2)} (p50)`,
    );
    console.log(`check: cached state = fold of ${events.length} stored events, revisions gapless; cache ${cache.size} streams, ${cache.stats.hits} hits, ${cache.stats.misses} misses`);
    const met = p50 <= TARGET_RATIO && p99 <= TARGET_RATIO;
    console.log(`target (10k-event stream <= ${TARGET_RATIO}x fresh, p50 and p99, warm cache): ${met ? 'MET' : 'NOT MET'} (${p50.toFixed(2)}x, ${p99.toFixed(2)}x)`);
  });
}

function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 3) throw new Error(`${name} must be an integer >= 3`);
  return value;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
