import type { ColumnType } from 'kysely';
import type { WorkflowPermission } from '@contracts';

export interface WorkflowShareTable {
  share_id: string;
  workflow_id: string;
  grantee_kind: 'user' | 'team';
  grantee_id: string;
  permission: WorkflowPermission;
  created_at: ColumnType<Date, string, string>;
  created_by: string;
  updated_at: ColumnType<Date, string, string>;
}
export interface PublicLinkTable {
  link_id: string;
  workflow_id: string;
  token_hash: string;
  expires_at: ColumnType<Date, string, string>;
  include_executions: boolean;
  revoked: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, string, string>;
  created_by: string;
}
