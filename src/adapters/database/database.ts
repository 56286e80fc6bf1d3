import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './tables';
import { prepareRepeatedStatements } from './prepared-statements';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Connection string (postgres) or data directory (pglite, undefined = in memory). */
  location?: string;
  /** Schema every connection uses (tests isolate themselves in their own schema). */
  schema?: string;
  /** PostgreSQL only: the pool under kysely, for hot paths that use named prepared statements. */
  pool?: Pool;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL. When absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; absent = in memory. */
  dataDir?: string;
  /** Postgres only: create and use this schema (search_path) for every connection. */
  schema?: string;
  poolSize?: number;
}

// timestamptz as Date, int8 as text: we convert int8 explicitly to bigint where it matters.
types.setTypeParser(types.builtins.INT8, (v) => v);

/** How long an idle pooled connection is kept: a deployment's connections stay open between bursts of load. */
const IDLE_CONNECTION_MS = 10 * 60_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.schema, options.poolSize ?? 20);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, schema: string | undefined, poolSize: number): Promise<DatabaseHandle> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema) {
    const setup = new Pool({ connectionString: url, max: 1 });
    try {
      // Processes starting together race on CREATE SCHEMA IF NOT EXISTS; the lock orders them.
      await setup.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`bluebird-schema:${schema}`]);
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    // Connections are kept once opened: a pool that let them go after 10 s idle (pg's default)
    // opened them again in the next burst, and each new one (a server process to fork, its
    // statements to prepare again) held up the requests waiting for it by 20-30 ms.
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  prepareRepeatedStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', location: url, schema, pool, close: () => db.destroy() };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return { db, kind: 'pglite', location: dataDir, close: () => db.destroy() };
}

/**
 * Runs migrations while holding a session advisory lock, so that processes starting at the same
 * moment (api, worker, projections) migrate one after the other instead of racing on CREATE TABLE.
 */
export async function withMigrationLock<T>(handle: DatabaseHandle, migrate: () => Promise<T>): Promise<T> {
  if (!handle.pool) return migrate();
  const client = await handle.pool.connect();
  const key = `bluebird-migrate:${handle.schema ?? ''}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    return await migrate();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
    client.release();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await pool.end();
  }
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
