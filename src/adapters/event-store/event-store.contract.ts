import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@contracts';
import { DuplicateEventId, WrongExpectedVersion, type EventStore } from './event-store.port';

/**
 * The contract every event store adapter passes. Used by `*.int-spec.ts` files of each adapter;
 * streams are unique per test so one store instance serves the whole suite.
 */
export interface ContractOptions {
  /** Runs the concurrent-writer tests (needs a store with a real connection pool). */
  concurrency?: boolean;
  /** The store refuses an event id that already exists in another stream. */
  uniqueEventIdsAcrossStreams?: boolean;
}

export function newEvent(type = 'TestHappened', data: unknown = { n: 1 }): EventEnvelope {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { kind: 'system', id: 'contract-test' },
      workspaceId: 'test',
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

const stream = () => `contracttest-${randomUUID()}`;

export function eventStoreContract(
  name: string,
  open: () => Promise<{ store: EventStore; close(): Promise<void> }>,
  options: ContractOptions = {},
): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => {
      await close?.();
    });

    it('appends and reads a stream forwards and backwards with gapless revisions', async () => {
      const id = stream();
      const first = await store.appendToStream(id, [newEvent('A', { i: 0 }), newEvent('B', { i: 1 })], { expectedRevision: 'no_stream' });
      expect(first.nextRevision).toBe(1n);
      const second = await store.appendToStream(id, [newEvent('C', { i: 2 })], { expectedRevision: 1n });
      expect(second.nextRevision).toBe(2n);

      const forwards = await store.readStream(id);
      expect(forwards.map((e) => [e.type, e.revision, (e.data as { i: number }).i])).toEqual([
        ['A', 0n, 0],
        ['B', 1n, 1],
        ['C', 2n, 2],
      ]);
      expect(forwards[0].metadata.actor).toEqual({ kind: 'system', id: 'contract-test' });
      expect(Number.isNaN(Date.parse(forwards[0].recordedAt))).toBe(false);

      const backwards = await store.readStream(id, { direction: 'backwards', limit: 2 });
      expect(backwards.map((e) => e.type)).toEqual(['C', 'B']);
      const fromOne = await store.readStream(id, { from: 1n });
      expect(fromOne.map((e) => e.type)).toEqual(['B', 'C']);
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('refuses a stale expected revision with a typed error and appends nothing', async () => {
      const id = stream();
      await store.appendToStream(id, [newEvent(), newEvent()]);
      const attempt = store.appendToStream(id, [newEvent('Stale')], { expectedRevision: 0n });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersion);
      await expect(attempt).rejects.toMatchObject({ streamId: id, actual: 1n });
      await expect(store.appendToStream(id, [newEvent('Stale')], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
        WrongExpectedVersion,
      );
      await expect(store.appendToStream(stream(), [newEvent('Stale')], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
        WrongExpectedVersion,
      );
      const events = await store.readStream(id);
      expect(events).toHaveLength(2);
      expect(events.some((e) => e.type === 'Stale')).toBe(false);
    });

    it('stores one copy when an append is retried with the same event ids', async () => {
      const id = stream();
      const batch = [newEvent('One'), newEvent('Two')];
      const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      const retried = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      expect(retried.nextRevision).toBe(first.nextRevision);
      expect(retried.position).toEqual(first.position);
      const retriedAny = await store.appendToStream(id, batch);
      expect(retriedAny.nextRevision).toBe(first.nextRevision);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['One', 'Two']);
    });

    it('appends a multi-event batch atomically: all or nothing', async () => {
      const id = stream();
      await store.appendToStream(id, [newEvent('Before')]);
      // A batch that cannot land (stale revision) leaves no trace of any of its events.
      const batch = [newEvent('X'), newEvent('Y'), newEvent('Z')];
      await expect(store.appendToStream(id, batch, { expectedRevision: 5n })).rejects.toBeInstanceOf(WrongExpectedVersion);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Before']);
      if (options.uniqueEventIdsAcrossStreams) {
        // A batch whose LAST event collides with an event of another stream fails as a whole.
        const other = stream();
        const taken = newEvent('Taken');
        await store.appendToStream(other, [taken]);
        const poisoned = [newEvent('P1'), newEvent('P2'), { ...newEvent('P3'), metadata: { ...taken.metadata } }];
        await expect(store.appendToStream(id, poisoned)).rejects.toBeInstanceOf(DuplicateEventId);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Before']);
      }
    });

    it('reads the global log in order, after a position, filtered by category', async () => {
      const category = `contractcat${randomUUID().replace(/-/g, '').slice(0, 8)}`;
      const a = `${category}-${randomUUID()}`;
      const b = `${category}-${randomUUID()}`;
      const start = await store.appendToStream(stream(), [newEvent('Elsewhere')]);
      await store.appendToStream(a, [newEvent('A1')]);
      await store.appendToStream(b, [newEvent('B1'), newEvent('B2')]);
      await store.appendToStream(a, [newEvent('A2')]);
      // The global log shows a transaction once every older one has ended (on a shared server,
      // other sessions' open transactions delay it a little): wait for all four, then check order.
      let page = await store.readAll({ after: start.position, categories: [category], limit: 100 });
      for (const deadline = Date.now() + 10_000; page.length < 4 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20));
        page = await store.readAll({ after: start.position, categories: [category], limit: 100 });
      }
      expect(page.map((e) => e.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
      const rest = await store.readAll({ after: page[1].position, categories: [category] });
      expect(rest.map((e) => e.type)).toEqual(['B2', 'A2']);
      expect((await store.readAll({ after: page[0].position, categories: [category], limit: 1 })).map((e) => e.type)).toEqual(['B1']);
    });

    it('delivers appended events to a subscriber', async () => {
      const category = `contractsub${randomUUID().replace(/-/g, '').slice(0, 8)}`;
      const start = await store.appendToStream(stream(), [newEvent('Start')]);
      const controller = new AbortController();
      const seen: string[] = [];
      const reading = (async () => {
        for await (const event of store.subscribeToAll({ after: start.position, categories: [category], signal: controller.signal, idleMs: 20 })) {
          seen.push(event.type);
          if (seen.length === 3) controller.abort();
        }
      })();
      await store.appendToStream(`${category}-${randomUUID()}`, [newEvent('S1')]);
      await store.appendToStream(`${category}-${randomUUID()}`, [newEvent('S2'), newEvent('S3')]);
      await reading;
      expect(seen).toEqual(['S1', 'S2', 'S3']);
    });

    (options.concurrency ? it : it.skip)('keeps revisions gapless and unique under concurrent writers', async () => {
      const id = stream();
      const writers = 8;
      const perWriter = 25;
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            for (;;) {
              const last = (await store.readStream(id, { direction: 'backwards', limit: 1 }))[0];
              try {
                await store.appendToStream(id, [newEvent('W', { w, i })], { expectedRevision: last ? last.revision : 'no_stream' });
                break;
              } catch (error) {
                if (!(error instanceof WrongExpectedVersion)) throw error;
                conflicts++;
              }
            }
          }
        }),
      );
      const events = await store.readStream(id);
      expect(events).toHaveLength(writers * perWriter);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
      // Each (writer, i) landed exactly once.
      const keys = new Set(events.map((e) => JSON.stringify(e.data)));
      expect(keys.size).toBe(writers * perWriter);
      expect(conflicts).toBeGreaterThan(0); // the writers really did race
    });
  });
}
