import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { compiledOnce } from './compiled-once';

/** compiledOnce: built and compiled once, run with each call's values in their places (PostgreSQL, or PGlite without one). */
describe('a query compiled once', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase();
    await sql`CREATE TABLE once_probe (id int PRIMARY KEY, owner text NOT NULL, label text NOT NULL)`.execute(t.handle.db);
    await sql`INSERT INTO once_probe VALUES (1, 'ada', 'one'), (2, 'ada', 'two'), (3, 'bob', 'three')`.execute(t.handle.db);
  });
  afterAll(async () => t?.close());

  const db = () => t.handle.db.withTables<{ once_probe: { id: number; owner: string; label: string } }>();

  it('answers each call for its own values, the same value used twice included, and builds the query only once', async () => {
    const build = jest.fn((v: Record<'owner' | 'minId', string>) =>
      db()
        .selectFrom('once_probe')
        .select(['id', 'label'])
        .where('owner', '=', v.owner)
        .where('id', '>=', v.minId as unknown as number)
        .where((eb) => eb.or([eb('owner', '=', v.owner), eb('label', '=', 'never')]))
        .orderBy('id'),
    );
    const labels = compiledOnce(t.handle.db, ['owner', 'minId'], build);
    expect(await labels({ owner: 'ada', minId: 1 })).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    expect(await labels({ owner: 'ada', minId: 2 })).toEqual([{ id: 2, label: 'two' }]);
    expect(await labels({ owner: 'bob', minId: 0 })).toEqual([{ id: 3, label: 'three' }]);
    expect(await labels({ owner: null, minId: 0 })).toEqual([]);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('refuses a value that does not become a parameter (it would be frozen into the text)', async () => {
    const wrong = compiledOnce(t.handle.db, ['owner', 'table'], (v) => db().selectFrom('once_probe').select(sql.raw<string>(`'${v.table}'`).as('t')).where('owner', '=', v.owner));
    await expect(wrong({ owner: 'ada', table: 'x' })).rejects.toThrow(/table did not become a parameter/);
  });
});
