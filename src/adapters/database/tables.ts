import type { ColumnType, Generated } from 'kysely';
import type { WorkflowSummaryTable } from '../../../projections/workflow-summary/workflow-summary.table';
import type { UserAccountTable } from '../../../projections/user-account/user-account.table';
import type {
  TeamMemberTable,
  TeamTable,
  WorkspaceMemberTable,
  WorkspaceTable,
} from '../../../projections/workspace-membership/workspace-membership.table';
import type { PublicLinkTable, WorkflowShareTable } from '../../../projections/workflow-access/workflow-access.table';
import type { WorkflowDefinitionTable, WorkflowVersionTable } from '../../../projections/workflow-definition/workflow-definition.table';
import type { ActivityTable } from '../../../projections/activity/activity.table';
import type { NotificationReadTable, NotificationTable } from '../../../projections/notification/notification.table';
import type { ExecutionStepTable, ExecutionTable } from '../../../projections/execution/execution.table';
import type { ExecutionTimerTable } from '../../../projections/execution-timer/execution-timer.table';
import type { ApprovalTable } from '../../../projections/approval/approval.table';
import type { TaskTable } from '../../../projections/task/task.table';
import type { TriggerCheckpointTable, WebhookEndpointTable } from '../../triggers/trigger.tables';

/**
 * The one kysely `Database` interface: event store tables, checkpoints and every read model.
 * Columns are snake_case; int8 columns are read as text and converted explicitly (pg and PGlite
 * disagree on how they return them).
 */
export interface EventLogTable {
  global_position: Generated<string>;
  transaction_id: Generated<string>;
  event_id: string;
  stream_id: string;
  revision: string | bigint | number;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: ColumnType<Date, never, never>;
}

export interface ForwarderCheckpointTable {
  name: string;
  transaction_id: string;
  global_position: string;
  /** Last forwarded position per category: `{ "workflow": "<tx>.<gp>" }`, the `prev` of the next event. */
  category_positions: ColumnType<Record<string, string>, string, string>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

export interface ProjectionCheckpointTable {
  projection: string;
  category: string;
  transaction_id: string;
  global_position: string;
  events_applied: ColumnType<string, string | number, string | number>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

export interface EmailOutboxTable {
  message_id: string;
  workspace_id: string | null;
  execution_id: string | null;
  step_id: string | null;
  from_address: string;
  to_addresses: ColumnType<string[], string, string>;
  cc_addresses: ColumnType<string[], string, string>;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  /** What the transport returned (the JSON transport's message, or SMTP's response). */
  transport: string;
  transport_result: ColumnType<unknown, string, string>;
  sent_at: ColumnType<Date, string, string>;
}

export interface StepOutputBlobTable {
  ref: string;
  content: ColumnType<unknown, string, string>;
  size_bytes: number;
  created_at: ColumnType<Date, string | undefined, never>;
}

export interface Database {
  event_log: EventLogTable;
  forwarder_checkpoint: ForwarderCheckpointTable;
  projection_checkpoint: ProjectionCheckpointTable;
  /** Process-wide settings that must survive restarts and be shared by replicas (e.g. the JWT secret). */
  app_setting: { key: string; value: string };
  workflow_summary: WorkflowSummaryTable;
  workflow_definition: WorkflowDefinitionTable;
  workflow_version: WorkflowVersionTable;
  user_account: UserAccountTable;
  workspace: WorkspaceTable;
  workspace_member: WorkspaceMemberTable;
  team: TeamTable;
  team_member: TeamMemberTable;
  workflow_share: WorkflowShareTable;
  public_link: PublicLinkTable;
  activity: ActivityTable;
  notification: NotificationTable;
  notification_read: NotificationReadTable;
  execution: ExecutionTable;
  execution_step: ExecutionStepTable;
  execution_timer: ExecutionTimerTable;
  approval: ApprovalTable;
  task: TaskTable;
  /** Mail the send_email step produced: nodemailer's JSON transport, or the record of an SMTP send. Keyed by idempotency key. */
  email_outbox: EmailOutboxTable;
  /** Step outputs over the size limit, kept by reference (`{ $ref }` in the event). */
  step_output_blob: StepOutputBlobTable;
  webhook_endpoint: WebhookEndpointTable;
  trigger_checkpoint: TriggerCheckpointTable;
}
