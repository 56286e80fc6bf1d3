import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * Read-side migrations: checkpoints and read models. Frozen: never edit one that has shipped,
 * never import application code here; add a new one instead.
 */
const migrations: Record<string, Migration> = {
  '0001_checkpoints': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE forwarder_checkpoint (
          name text PRIMARY KEY,
          transaction_id bigint NOT NULL,
          global_position bigint NOT NULL,
          category_positions jsonb NOT NULL DEFAULT '{}'::jsonb,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
      await sql`
        CREATE TABLE projection_checkpoint (
          projection text NOT NULL,
          category text NOT NULL,
          transaction_id bigint NOT NULL DEFAULT 0,
          global_position bigint NOT NULL DEFAULT 0,
          events_applied bigint NOT NULL DEFAULT 0,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (projection, category)
        )`.execute(db);
    },
  },
  '0002_workflow_summary': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE workflow_summary (
          workflow_id uuid PRIMARY KEY,
          workspace_id text NOT NULL,
          name text NOT NULL,
          description text NOT NULL DEFAULT '',
          status text NOT NULL,
          revision bigint NOT NULL,
          created_at timestamptz NOT NULL,
          created_by text NOT NULL,
          updated_at timestamptz NOT NULL,
          updated_by text NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX workflow_summary_listing ON workflow_summary (workspace_id, created_at DESC, workflow_id DESC)`.execute(db);
    },
  },
};

/** `schema`: where the migration bookkeeping lives (kysely would otherwise find another schema's tables). */
export async function migrateReadModels(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
