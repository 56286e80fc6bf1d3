import type { ColumnType } from 'kysely';

/**
 * `activity`: one row per event of the workflow, workspace and user streams, for the feeds. The
 * summary is a whitelist of harmless fields (see summarize): never a password or token hash.
 */
export interface ActivityTable {
  event_id: string;
  /** Log position (both parts, as text: pg and PGlite read int8 differently): the feed's order. */
  transaction_id: ColumnType<string, string, string>;
  global_position: ColumnType<string, string, string>;
  /** Null when the event names no workspace (first-start owner, a user's own password change). */
  workspace_id: string | null;
  workflow_id: string | null;
  stream_id: string;
  event_type: string;
  actor_id: string;
  actor_name: string | null;
  occurred_at: ColumnType<Date, string, string>;
  summary: ColumnType<Record<string, unknown>, string, string>;
}
