import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { migrateToLatest } from '../../src/adapters/database/run-migrations';

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
  '0003_accounts': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE user_account (
          user_id uuid PRIMARY KEY,
          email text NOT NULL,
          display_name text NOT NULL,
          password_hash text NOT NULL,
          must_change_password boolean NOT NULL,
          disabled boolean NOT NULL DEFAULT false,
          invited_by text,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE UNIQUE INDEX user_account_email ON user_account (lower(email))`.execute(db);
      await sql`
        CREATE TABLE workspace (
          workspace_id uuid PRIMARY KEY,
          name text NOT NULL,
          owner_id uuid NOT NULL,
          created_at timestamptz NOT NULL
        )`.execute(db);
      await sql`
        CREATE TABLE workspace_member (
          workspace_id uuid NOT NULL,
          user_id uuid NOT NULL,
          role text NOT NULL,
          added_at timestamptz NOT NULL,
          PRIMARY KEY (workspace_id, user_id)
        )`.execute(db);
      await sql`CREATE INDEX workspace_member_user ON workspace_member (user_id)`.execute(db);
      await sql`
        CREATE TABLE team (
          team_id uuid PRIMARY KEY,
          workspace_id uuid NOT NULL,
          name text NOT NULL,
          created_at timestamptz NOT NULL
        )`.execute(db);
      await sql`
        CREATE TABLE team_member (
          team_id uuid NOT NULL,
          user_id uuid NOT NULL,
          workspace_id uuid NOT NULL,
          PRIMARY KEY (team_id, user_id)
        )`.execute(db);
      await sql`CREATE INDEX team_member_user ON team_member (user_id)`.execute(db);
      await sql`
        CREATE TABLE workflow_share (
          share_id uuid PRIMARY KEY,
          workflow_id uuid NOT NULL,
          grantee_kind text NOT NULL,
          grantee_id uuid NOT NULL,
          permission text NOT NULL,
          created_at timestamptz NOT NULL,
          created_by text NOT NULL,
          updated_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX workflow_share_workflow ON workflow_share (workflow_id)`.execute(db);
      await sql`CREATE INDEX workflow_share_grantee ON workflow_share (grantee_id)`.execute(db);
      await sql`
        CREATE TABLE public_link (
          link_id uuid PRIMARY KEY,
          workflow_id uuid NOT NULL,
          token_hash text NOT NULL UNIQUE,
          expires_at timestamptz NOT NULL,
          include_executions boolean NOT NULL,
          revoked boolean NOT NULL DEFAULT false,
          created_at timestamptz NOT NULL,
          created_by text NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX public_link_workflow ON public_link (workflow_id)`.execute(db);
      await sql`CREATE TABLE app_setting (key text PRIMARY KEY, value text NOT NULL)`.execute(db);
    },
  },
  '0004_activity': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE activity (
          event_id uuid PRIMARY KEY,
          transaction_id bigint NOT NULL,
          global_position bigint NOT NULL,
          workspace_id uuid,
          workflow_id uuid,
          stream_id text NOT NULL,
          event_type text NOT NULL,
          actor_id text NOT NULL,
          actor_name text,
          occurred_at timestamptz NOT NULL,
          summary jsonb NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX activity_workspace_feed ON activity (workspace_id, transaction_id DESC, global_position DESC)`.execute(db);
      await sql`CREATE INDEX activity_workflow_feed ON activity (workflow_id, transaction_id DESC, global_position DESC)`.execute(db);
      await sql`
        CREATE TABLE notification (
          notification_id uuid PRIMARY KEY,
          kind text NOT NULL,
          recipient_user_id uuid,
          recipient_team_id uuid,
          workspace_id uuid,
          workflow_id uuid,
          actor_id text NOT NULL,
          actor_name text,
          occurred_at timestamptz NOT NULL,
          transaction_id bigint NOT NULL,
          global_position bigint NOT NULL,
          details jsonb NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX notification_user ON notification (recipient_user_id) WHERE recipient_user_id IS NOT NULL`.execute(db);
      await sql`CREATE INDEX notification_team ON notification (recipient_team_id) WHERE recipient_team_id IS NOT NULL`.execute(db);
      await sql`
        CREATE TABLE notification_read (
          notification_id uuid NOT NULL,
          user_id uuid NOT NULL,
          read_at timestamptz NOT NULL,
          PRIMARY KEY (notification_id, user_id)
        )`.execute(db);
    },
  },
  '0005_password_changed_at': {
    async up(db: Kysely<any>) {
      await sql`ALTER TABLE user_account ADD COLUMN password_changed_at timestamptz`.execute(db);
    },
  },
  '0006_definitions': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE workflow_definition (
          workflow_id uuid PRIMARY KEY,
          definition jsonb NOT NULL,
          revision bigint NOT NULL,
          updated_at timestamptz NOT NULL
        )`.execute(db);
      await sql`
        CREATE TABLE workflow_version (
          workflow_id uuid NOT NULL,
          version int NOT NULL,
          note text NOT NULL,
          definition jsonb NOT NULL,
          rolled_back_from int,
          published_at timestamptz NOT NULL,
          published_by text NOT NULL,
          published_by_name text,
          PRIMARY KEY (workflow_id, version)
        )`.execute(db);
      await sql`ALTER TABLE workflow_summary ADD COLUMN step_count int NOT NULL DEFAULT 0`.execute(db);
      await sql`ALTER TABLE workflow_summary ADD COLUMN version int NOT NULL DEFAULT 0`.execute(db);
      await sql`ALTER TABLE workflow_summary ADD COLUMN tags jsonb NOT NULL DEFAULT '[]'::jsonb`.execute(db);
    },
  },
  '0007_engine': {
    async up(db: Kysely<any>) {
      await sql`
        CREATE TABLE execution (
          execution_id uuid PRIMARY KEY,
          workflow_id uuid NOT NULL,
          workspace_id uuid NOT NULL,
          version int NOT NULL,
          status text NOT NULL,
          trigger_kind text NOT NULL,
          started_by text,
          trigger_id text,
          bulk_id uuid,
          parent_execution_id uuid,
          forked_from_execution_id uuid,
          input jsonb NOT NULL,
          output jsonb,
          error jsonb,
          started_at timestamptz NOT NULL,
          finished_at timestamptz,
          duration_ms int,
          steps_total int NOT NULL,
          steps_done int NOT NULL DEFAULT 0,
          revision bigint NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX execution_workflow ON execution (workflow_id, started_at DESC, execution_id DESC)`.execute(db);
      await sql`CREATE INDEX execution_workspace ON execution (workspace_id, started_at DESC, execution_id DESC)`.execute(db);
      await sql`CREATE INDEX execution_bulk ON execution (bulk_id) WHERE bulk_id IS NOT NULL`.execute(db);
      await sql`
        CREATE TABLE execution_step (
          execution_id uuid NOT NULL,
          step_id text NOT NULL,
          attempt int NOT NULL,
          scheduled_id text NOT NULL,
          action_type text NOT NULL,
          status text NOT NULL,
          input jsonb,
          output jsonb,
          error jsonb,
          scheduled_at timestamptz,
          started_at timestamptz,
          finished_at timestamptz,
          duration_ms int,
          worker_id text,
          PRIMARY KEY (execution_id, step_id, attempt)
        )`.execute(db);
      await sql`
        CREATE TABLE execution_timer (
          timer_key text PRIMARY KEY,
          execution_id uuid NOT NULL,
          kind text NOT NULL,
          due_at timestamptz NOT NULL,
          command jsonb NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX execution_timer_due ON execution_timer (due_at)`.execute(db);
      await sql`CREATE INDEX execution_timer_execution ON execution_timer (execution_id)`.execute(db);
      await sql`
        CREATE TABLE approval (
          approval_id text PRIMARY KEY,
          execution_id uuid NOT NULL,
          step_id text NOT NULL,
          workspace_id uuid NOT NULL,
          workflow_id uuid NOT NULL,
          title text NOT NULL,
          message text NOT NULL,
          approver_user_ids jsonb NOT NULL,
          approver_role text,
          mode text NOT NULL,
          require_comment boolean NOT NULL,
          status text NOT NULL,
          escalated boolean NOT NULL DEFAULT false,
          granted_by jsonb NOT NULL DEFAULT '[]'::jsonb,
          decided_by text,
          comment text,
          requested_at timestamptz NOT NULL,
          decided_at timestamptz,
          timeout_at timestamptz
        )`.execute(db);
      await sql`CREATE INDEX approval_workspace ON approval (workspace_id, status, requested_at DESC)`.execute(db);
      await sql`
        CREATE TABLE task (
          task_id uuid PRIMARY KEY,
          workspace_id uuid NOT NULL,
          title text NOT NULL,
          description text,
          status text NOT NULL,
          priority text NOT NULL,
          assignee_id uuid,
          due_at timestamptz,
          tags jsonb NOT NULL,
          created_by text NOT NULL,
          source_execution_id uuid,
          source_step_id text,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          revision bigint NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX task_workspace ON task (workspace_id, updated_at DESC, task_id DESC)`.execute(db);
      await sql`
        CREATE TABLE email_outbox (
          message_id text PRIMARY KEY,
          workspace_id uuid,
          execution_id uuid,
          step_id text,
          from_address text NOT NULL,
          to_addresses jsonb NOT NULL,
          cc_addresses jsonb NOT NULL,
          subject text NOT NULL,
          text_body text,
          html_body text,
          transport text NOT NULL,
          transport_result jsonb NOT NULL,
          sent_at timestamptz NOT NULL
        )`.execute(db);
      await sql`CREATE INDEX email_outbox_workspace ON email_outbox (workspace_id, sent_at DESC)`.execute(db);
      await sql`
        CREATE TABLE step_output_blob (
          ref text PRIMARY KEY,
          content jsonb NOT NULL,
          size_bytes int NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`.execute(db);
    },
  },
  '0008_triggers': {
    async up(db: Kysely<any>) {
      // Webhook endpoints: the hook id in the URL, the trigger it starts and its active secrets (newest first).
      // Written by the trigger routes, never by a projector: the secrets are not in any event.
      await sql`
        CREATE TABLE webhook_endpoint (
          hook_id uuid PRIMARY KEY,
          workflow_id uuid NOT NULL,
          trigger_id text NOT NULL,
          secrets jsonb NOT NULL DEFAULT '[]'::jsonb,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          UNIQUE (workflow_id, trigger_id)
        )`.execute(db);
      // How far each cron schedule has fired: the missed-run policy starts from here after downtime.
      await sql`
        CREATE TABLE trigger_checkpoint (
          workflow_id uuid NOT NULL,
          trigger_id text NOT NULL,
          last_tick timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (workflow_id, trigger_id)
        )`.execute(db);
      await sql`CREATE INDEX execution_trigger ON execution (workflow_id, trigger_id, started_at DESC) WHERE trigger_id IS NOT NULL`.execute(db);
    },
  },
  '0009_step_rows_by_scheduling': {
    async up(db: Kysely<any>) {
      // Loops run a step many times with the same attempt number: a row is one scheduling.
      await sql`UPDATE execution_step SET scheduled_id = 'skipped:' || step_id WHERE scheduled_id = ''`.execute(db);
      await sql`ALTER TABLE execution_step DROP CONSTRAINT execution_step_pkey`.execute(db);
      await sql`ALTER TABLE execution_step ADD PRIMARY KEY (execution_id, scheduled_id)`.execute(db);
      await sql`ALTER TABLE execution_step ADD COLUMN iteration text`.execute(db);
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
  await migrateToLatest(migrator);
}
