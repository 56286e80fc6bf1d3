import { randomBytes } from 'node:crypto';
import { dropSchema, openDatabase, type DatabaseHandle } from '../../src/adapters/database/database';

/** Real PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set; otherwise PGlite in memory. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL || process.env.AMQP_URL || undefined;

export const uniqueSchema = (prefix = 't'): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export interface TestDatabase {
  handle: DatabaseHandle;
  schema?: string;
  close(): Promise<void>;
}

/** Each test file gets its own schema on PostgreSQL (dropped on close), or its own PGlite. */
export async function openTestDatabase(kind: 'auto' | 'pglite' = 'auto', poolSize = 20): Promise<TestDatabase> {
  if (kind === 'auto' && TEST_DATABASE_URL) {
    const schema = uniqueSchema();
    const handle = await openDatabase({ url: TEST_DATABASE_URL, schema, poolSize });
    return {
      handle,
      schema,
      async close() {
        await handle.close();
        await dropSchema(TEST_DATABASE_URL!, schema);
      },
    };
  }
  const handle = await openDatabase({});
  return { handle, close: () => handle.close() };
}

export function describeIf(condition: unknown, reason: string): jest.Describe {
  if (!condition) {
    // Say why, once per file, so a green run never hides a suite that did not run.
    console.log(`skipped: ${reason}`);
    return describe.skip;
  }
  return describe;
}
