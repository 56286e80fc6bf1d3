import { sql } from 'kysely';
import { describeIf, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../../test/support/test-database';

/** prepareRepeatedStatements (prepared-statements.ts), on the real PostgreSQL the pool talks to. */
describeIf(TEST_DATABASE_URL, 'prepared statements need PostgreSQL (DATABASE_URL)')('repeated queries as prepared statements', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase('auto', 1); // one connection: every statement is on the session we look at
    await sql`CREATE TABLE prep_probe (id int PRIMARY KEY, label text NOT NULL)`.execute(t.handle.db);
    await sql`INSERT INTO prep_probe VALUES (1, 'one'), (2, 'two'), (3, 'three')`.execute(t.handle.db);
  });
  afterAll(async () => t?.close());

  const prepared = async () =>
    (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(t.handle.db)).rows.map((r) => r.statement);
  const labelOf = (id: number) => t.handle.db.selectFrom('prep_probe' as never).select('label' as never).where('id' as never, '=', id as never).executeTakeFirst() as Promise<{ label: string } | undefined>;

  it('prepares a parameterised text from its third use, and it keeps answering for each set of values', async () => {
    const probe = (s: string) => s.includes('"prep_probe"');
    expect((await prepared()).filter(probe)).toEqual([]);
    expect(await labelOf(1)).toEqual({ label: 'one' });
    expect(await labelOf(2)).toEqual({ label: 'two' });
    expect((await prepared()).filter(probe)).toEqual([]); // two uses: still unnamed
    expect(await labelOf(3)).toEqual({ label: 'three' });
    expect((await prepared()).filter(probe)).toHaveLength(1);
    expect(await labelOf(1)).toEqual({ label: 'one' });
    expect(await labelOf(4)).toBeUndefined();
    expect((await prepared()).filter(probe)).toHaveLength(1); // the same statement, not one per call
  });

  it('leaves texts without parameters unnamed, however often they run', async () => {
    for (let i = 0; i < 5; i++) await sql`SELECT count(*) FROM prep_probe`.execute(t.handle.db);
    expect((await prepared()).filter((s) => s.includes('count(*)'))).toEqual([]);
  });

  it('survives a change to the table under a prepared statement: PostgreSQL plans it again', async () => {
    for (let i = 0; i < 3; i++) await labelOf(1);
    await sql`CREATE INDEX prep_probe_label ON prep_probe (label)`.execute(t.handle.db);
    await sql`UPDATE prep_probe SET label = 'uno' WHERE id = 1`.execute(t.handle.db);
    expect(await labelOf(1)).toEqual({ label: 'uno' });
  });

  it('a failing prepared statement leaves the connection usable and the statement working', async () => {
    const insert = (id: number) => sql`INSERT INTO prep_probe (id, label) VALUES (${id}, ${'x'})`.execute(t.handle.db);
    for (let i = 10; i < 13; i++) await insert(i);
    await expect(insert(10)).rejects.toThrow(/duplicate key/);
    await expect(t.handle.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO prep_probe (id, label) VALUES (${11}, ${'x'})`.execute(trx);
    })).rejects.toThrow(/duplicate key/);
    await insert(13);
    expect(await labelOf(13)).toEqual({ label: 'x' });
  });

  it('a column added under a prepared SELECT * fails that call once, then the text runs unnamed', async () => {
    const all = (id: number) => sql<Record<string, unknown>>`SELECT * FROM prep_probe WHERE id = ${id}`.execute(t.handle.db);
    for (let i = 0; i < 3; i++) await all(2);
    await sql`ALTER TABLE prep_probe ADD COLUMN note text`.execute(t.handle.db);
    await expect(all(2)).rejects.toThrow(/cached plan must not change result type/);
    expect((await all(2)).rows).toEqual([{ id: 2, label: 'two', note: null }]);
  });
});
