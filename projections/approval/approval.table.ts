import type { ColumnType } from 'kysely';

/** `approval`: approval requests and their answers, for the inbox (B8). */
export interface ApprovalTable {
  approval_id: string;
  execution_id: string;
  step_id: string;
  workspace_id: string;
  workflow_id: string;
  title: string;
  message: string;
  approver_user_ids: ColumnType<string[], string, string>;
  approver_role: string | null;
  mode: string;
  require_comment: boolean;
  status: string;
  escalated: boolean;
  /** User ids that approved so far (mode all). */
  granted_by: ColumnType<string[], string, string>;
  decided_by: string | null;
  comment: string | null;
  requested_at: ColumnType<Date, string, string>;
  decided_at: ColumnType<Date | null, string | null, string | null>;
  timeout_at: ColumnType<Date | null, string | null, string | null>;
}
