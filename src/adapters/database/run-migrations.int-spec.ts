import { Pool } from 'pg';
import { migrateReadModels } from '../../../projections/migrations';
import { TEST_DATABASE_URL, describeIf, uniqueSchema } from '../../../test/support/test-database';
import { dropSchema, openDatabase } from './database';

/**
 * Migrations while other sessions drop their schemas (as test files and benches do side by side):
 * kysely's introspection reads every schema, and one dropped under it fails the query. It must be
 * retried, not fail the start of a process.
 */
describeIf(TEST_DATABASE_URL, 'needs PostgreSQL (TEST_DATABASE_URL or DATABASE_URL)')('migrations beside schemas being dropped', () => {
  it('given schemas dropped one after another meanwhile, then every migration completes', async () => {
    const url = TEST_DATABASE_URL!;
    const doomed = Array.from({ length: 150 }, () => uniqueSchema('doomed'));
    const admin = new Pool({ connectionString: url, max: 1 });
    try {
      for (const name of doomed) await admin.query(`CREATE SCHEMA ${name}; CREATE TABLE ${name}.t (id int)`);
    } finally {
      await admin.end();
    }
    let dropping = true;
    const dropper = (async () => {
      for (const name of doomed) await dropSchema(url, name);
      dropping = false;
    })();
    const migrated: string[] = [];
    try {
      while (dropping) {
        const schema = uniqueSchema('mig');
        const handle = await openDatabase({ url, schema, poolSize: 2 });
        try {
          await migrateReadModels(handle.db, schema);
          migrated.push(schema);
        } finally {
          await handle.close();
          await dropSchema(url, schema);
        }
      }
    } finally {
      await dropper;
    }
    expect(migrated.length).toBeGreaterThan(0);
  }, 120_000);
});
