import { sql } from 'kysely';
import { describeIf, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../../test/support/test-database';

/** The PostgreSQL pool of openDatabase (database.ts), on the real server. */
describeIf(TEST_DATABASE_URL, 'the pool test needs PostgreSQL (DATABASE_URL)')('the connection pool', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase('auto', 4);
  });
  afterAll(async () => t?.close());

  it('keeps the connections a burst opened through an idle spell longer than pg’s default 10 s', async () => {
    const backends = async () => new Set((await Promise.all([1, 2, 3, 4].map(() => sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, pg_sleep(0.05)`.execute(t.handle.db)))).map((r) => r.rows[0].pid));
    const before = await backends();
    expect(before.size).toBe(4);
    await new Promise((r) => setTimeout(r, 10_500));
    expect(t.handle.pool!.totalCount).toBe(4);
    // The next burst is served by the same server processes: nothing to fork, nothing to prepare again.
    expect(await backends()).toEqual(before);
  }, 20_000);
});
