import { Kysely, Migrator, sql, type Migration } from 'kysely';
import { migrateToLatest } from '../../database/run-migrations';

/**
 * The event log's own schema, migrated apart from the read models (its own migration table).
 * Frozen: change it only by adding a migration.
 *
 * `transaction_id` (xid8) orders the global log: readers only see transactions below the oldest
 * one still running, so an event that commits late can never be skipped (DESIGN.md section 6).
 */
const migrations: Record<string, Migration> = {
  '0001_event_log': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE event_log (
          global_position bigserial PRIMARY KEY,
          transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
          event_id uuid NOT NULL,
          stream_id text NOT NULL,
          revision bigint NOT NULL,
          type text NOT NULL,
          data jsonb NOT NULL,
          metadata jsonb NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT event_log_event_id_unique UNIQUE (event_id),
          CONSTRAINT event_log_stream_revision_unique UNIQUE (stream_id, revision)
        )`.execute(db);
      await sql`CREATE INDEX event_log_commit_order ON event_log (transaction_id, global_position)`.execute(db);
    },
  },
};

/** `schema`: where the migration bookkeeping lives (kysely would otherwise find another schema's tables). */
export async function migrateEventLog(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    migrationTableName: 'event_log_migration',
    migrationLockTableName: 'event_log_migration_lock',
  });
  await migrateToLatest(migrator);
}
