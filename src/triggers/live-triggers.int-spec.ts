import { migrateReadModels } from '../../projections/migrations';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { LiveEventTriggers } from './live-triggers';

/** LiveEventTriggers: which lookups an event costs (its marker read is the projections' checkpoints). */
describe('LiveEventTriggers', () => {
  let database: TestDatabase;
  let reads: number;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await migrateReadModels(database.handle.db, database.schema);
  });
  afterAll(async () => database?.close());

  function live(): LiveEventTriggers {
    reads = 0;
    const db = database.handle.db.withPlugin({
      transformQuery: (args) => {
        reads++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    return new LiveEventTriggers(db);
  }
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('checks again for an event recorded after the last check, and serves older events from that check', async () => {
    const triggers = live();
    expect(await triggers.list(ago(1000))).toEqual([]);
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);

    await triggers.list(ago(1000)); // recorded before the check: served from it
    expect(reads).toBe(afterFirst);

    await triggers.list(new Date(Date.now() + 1000).toISOString()); // recorded after it: checked again
    expect(reads).toBeGreaterThan(afterFirst);
  });

  it('always checks the marker when no event time is given, and reads the list again only when the marker moved', async () => {
    const triggers = live();
    await triggers.list();
    const first = reads; // the marker and the list
    await triggers.list();
    expect(reads).toBe(first + 1); // the marker only
    await database.handle.db
      .insertInto('projection_checkpoint')
      .values({ projection: 'workflow_summary', category: 'workflow', transaction_id: '9', global_position: '9', events_applied: 1 })
      .execute();
    const before = reads;
    await triggers.list();
    expect(reads).toBe(before + 2);
  });

  it('events handled side by side share the check under way when it began after they were recorded, and not when it began before', async () => {
    const triggers = live();
    const recorded = ago(1000);
    await Promise.all(Array.from({ length: 10 }, () => triggers.list(recorded)));
    expect(reads).toBe(2); // one marker read and one list read for all ten

    const before = reads;
    const late = new Date(Date.now() + 60_000).toISOString(); // recorded after any check that has begun
    await Promise.all([triggers.list(), triggers.list(late)]);
    expect(reads).toBe(before + 2); // two marker reads: neither check may serve the other
  });
});
