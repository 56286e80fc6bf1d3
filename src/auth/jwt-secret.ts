import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';

/**
 * The JWT signing secret: JWT_SECRET when set; otherwise one generated on first start and kept
 * in the database, so tokens survive restarts and every replica (api, worker...) agrees.
 */
export async function loadJwtSecret(db: Kysely<Database>, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  await db
    .insertInto('app_setting')
    .values({ key: 'jwt_secret', value: randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_setting').select('value').where('key', '=', 'jwt_secret').executeTakeFirstOrThrow();
  return row.value;
}
