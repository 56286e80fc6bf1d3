import type { ColumnType } from 'kysely';

/** `Posted`: a notification a workflow posted (send_notification); one row per recipient. */
export type NotificationKind = 'WorkflowShared' | 'MemberAdded' | 'MemberRoleChanged' | 'Posted';

/**
 * `notification`: what concerns a user or one of their teams (team members are resolved when
 * read, by joining `team_member`). The id is the id of the event it comes from.
 */
export interface NotificationTable {
  notification_id: string;
  kind: NotificationKind;
  recipient_user_id: string | null;
  recipient_team_id: string | null;
  workspace_id: string | null;
  workflow_id: string | null;
  actor_id: string;
  actor_name: string | null;
  occurred_at: ColumnType<Date, string, string>;
  transaction_id: ColumnType<string, string, string>;
  global_position: ColumnType<string, string, string>;
  /** permission / role / previousRole / shareId, or a posted one's title / message / level / link: what the message needs. */
  details: ColumnType<Record<string, unknown>, string, string>;
}

/** Who has read which notification (from `NotificationRead` on the user's stream). */
export interface NotificationReadTable {
  notification_id: string;
  user_id: string;
  read_at: ColumnType<Date, string, string>;
}
