import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { RecordedEvent } from '@contracts';
import { comparePositions, formatPosition } from '@contracts';
import { openDatabase } from '../../database/database';
import { eventStoreContract, newEvent } from '../event-store.contract';
import { PostgresEventStore } from './postgres.event-store';
import { WrongExpectedVersion } from '../event-store.port';
import { TEST_DATABASE_URL, describeIf, openTestDatabase } from '../../../../test/support/test-database';

async function openStore(kind: 'auto' | 'pglite') {
  const database = await openTestDatabase(kind);
  const store = new PostgresEventStore(database.handle);
  await store.init();
  return { store, database, close: () => database.close() };
}

eventStoreContract('PGlite', () => openStore('pglite'), { uniqueEventIdsAcrossStreams: true });

if (TEST_DATABASE_URL) {
  eventStoreContract('PostgreSQL', () => openStore('auto'), { concurrency: true, uniqueEventIdsAcrossStreams: true });
} else {
  console.log('PostgreSQL contract run skipped: set DATABASE_URL or TEST_DATABASE_URL (the PGlite run above still ran)');
}

describeIf(TEST_DATABASE_URL, 'PostgreSQL-only event store guarantees need DATABASE_URL')('PostgreSQL event store guarantees', () => {
  let opened: Awaited<ReturnType<typeof openStore>>;
  beforeAll(async () => {
    opened = await openStore('auto');
  });
  afterAll(async () => opened?.close());

  it('never lets the global reader skip an event that commits late (8 writers, sleeps and rollbacks)', async () => {
    const { store, database } = opened;
    const db = database.handle.db;
    const seen: RecordedEvent[] = [];
    const controller = new AbortController();
    const start = await store.appendToStream(`gaptest-${randomUUID()}`, [newEvent('Start')]);
    const reader = (async () => {
      for await (const event of store.subscribeToAll({ after: start.position, categories: ['gaptest'], signal: controller.signal, idleMs: 5 })) {
        seen.push(event);
      }
    })();

    let rolledBack = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 30; i++) {
          const mode = (writer + i) % 5; // 0: sleep before commit, 1: roll back, else commit at once
          try {
            await db.transaction().execute(async (trx) => {
              const inTrx = new PostgresEventStore({ db: trx, kind: 'postgres', close: async () => undefined });
              await inTrx.appendToStream(`gaptest-${randomUUID()}`, [newEvent('G', { writer, i }), newEvent('G2', { writer, i })]);
              if (mode === 0) await sql`SELECT pg_sleep(${0.005 + Math.random() * 0.05})`.execute(trx);
              if (mode === 1) throw new Error('roll back on purpose');
            });
          } catch (error) {
            if ((error as Error).message !== 'roll back on purpose') throw error;
            rolledBack++;
          }
        }
      }),
    );
    const committed = await sql<{ event_id: string }>`
      SELECT event_id::text FROM event_log
      WHERE stream_id LIKE 'gaptest-%' AND (transaction_id, global_position) > (${start.position.transactionId.toString()}::xid8, ${start.position.globalPosition.toString()}::bigint)
      ORDER BY transaction_id, global_position`.execute(db);
    const deadline = Date.now() + 20_000;
    while (seen.length < committed.rows.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // would reveal duplicates arriving late
    controller.abort();
    await reader;

    expect(rolledBack).toBeGreaterThan(0);
    expect(committed.rows.length).toBe((8 * 30 - rolledBack) * 2);
    expect(seen.map((e) => e.metadata.eventId)).toEqual(committed.rows.map((r) => r.event_id));
    for (let i = 1; i < seen.length; i++) expect(comparePositions(seen[i - 1].position, seen[i].position)).toBeLessThan(0);
  });

  it('commits concurrent appends to different streams together, each keeping its own expectation, atomicity and idempotency', async () => {
    const { store } = opened;
    const fresh = Array.from({ length: 40 }, () => `grouptest-${randomUUID()}`);
    const existing = `grouptest-${randomUUID()}`;
    await store.appendToStream(existing, [newEvent('First')]);
    const once = `grouptest-${randomUUID()}`;
    const landed = [newEvent('Once')];
    const first = await store.appendToStream(once, landed);
    const contested = `grouptest-${randomUUID()}`;
    const [freshResults, stale, retried, contests] = await Promise.all([
      Promise.all(fresh.map((stream) => store.appendToStream(stream, [newEvent('A'), newEvent('B')], { expectedRevision: 'no_stream' }))),
      store.appendToStream(existing, [newEvent('Stale')], { expectedRevision: 'no_stream' }).catch((error: unknown) => error),
      store.appendToStream(once, landed, { expectedRevision: 'no_stream' }),
      Promise.allSettled([1, 2].map((n) => store.appendToStream(contested, [newEvent('Claim', { n })], { expectedRevision: 'no_stream' }))),
    ]);
    for (const [index, stream] of fresh.entries()) {
      expect(freshResults[index].nextRevision).toBe(1n);
      expect((await store.readStream(stream)).map((e) => [e.type, e.revision])).toEqual([['A', 0n], ['B', 1n]]);
    }
    // Several appends shared a statement (a transaction), where each used to be one of its own.
    expect(new Set(freshResults.map((r) => r.position.transactionId)).size).toBeLessThan(fresh.length);
    expect(stale).toBeInstanceOf(WrongExpectedVersion);
    expect((await store.readStream(existing)).map((e) => e.type)).toEqual(['First']);
    expect(retried).toEqual(first);
    expect(contests.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await store.readStream(contested)).length).toBe(1);
  });

  it('keeps synchronous commit on, so an acknowledged append is on disk', async () => {
    const result = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(opened.database.handle.db);
    expect(result.rows[0].synchronous_commit).toBe('on');
  });
});

describe('PGlite durability', () => {
  it('keeps an acknowledged append when the process is killed right after the acknowledgement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bluebird-crash-'));
    try {
      const streamId = `crash-${randomUUID()}`;
      // A child process appends, prints the acknowledged position, and is SIGKILLed at once.
      const child = spawn(process.execPath, [join(__dirname, '../../../../test/support/append-then-wait.js'), dir, streamId], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acked = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('ACK '));
          if (line) resolve(line.slice(4).trim());
        });
        child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const handle = await openDatabase({ dataDir: dir });
      try {
        const store = new PostgresEventStore(handle);
        const events = await store.readStream(streamId);
        expect(events.map((e) => e.type)).toEqual(['Durable']);
        expect(formatPosition(events[0].position)).toBe(acked);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
