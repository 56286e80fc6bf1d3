import { Inject, Injectable } from '@nestjs/common';
import type { WorkflowPermission, WorkflowSummaryDto, WorkspaceRole } from '@contracts';
import { executionStream, isWorkspaceOrdinal, permissionOfRole, strongestPermission } from '@contracts';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { toWorkflowSummaryDto } from '../queries/workflow.queries';
import type { AuthenticatedUser } from './auth.types';

/** Reads the membership and share read models to answer "may this user do that?". */
@Injectable()
export class AccessService {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  private get db() {
    return this.infra.database.db;
  }

  /**
   * The signed-in user, if they exist and are not disabled, and (given the token's issue time in
   * ms) the token is not older than their last password change: a change ends earlier sessions.
   */
  async activeUser(userId: string, issuedAtMs?: number): Promise<AuthenticatedUser | undefined> {
    const row = await this.db
      .selectFrom('user_account')
      .select(['user_id', 'email', 'display_name', 'disabled', 'password_changed_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    if (issuedAtMs !== undefined && row.password_changed_at && issuedAtMs < new Date(row.password_changed_at).getTime()) return undefined;
    return { id: row.user_id, email: row.email, displayName: row.display_name };
  }

  /** Every workspace the user belongs to, with their role there. */
  async membershipsOf(userId: string): Promise<{ workspaceId: string; role: WorkspaceRole }[]> {
    const rows = await this.db.selectFrom('workspace_member').select(['workspace_id', 'role']).where('user_id', '=', userId).execute();
    return rows.map((r) => ({ workspaceId: r.workspace_id, role: r.role }));
  }

  async roleIn(userId: string, workspaceId: string): Promise<WorkspaceRole | undefined> {
    const row = await this.db
      .selectFrom('workspace_member')
      .select('role')
      .where('user_id', '=', userId)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row?.role;
  }

  /** The workspace used when a request names none: the one the user joined first. */
  async defaultWorkspace(userId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('workspace_member')
      .select('workspace_id')
      .where('user_id', '=', userId)
      .orderBy('added_at')
      .orderBy('workspace_id')
      .executeTakeFirst();
    return row?.workspace_id;
  }

  /**
   * A workspace named by a request: its UUID, or a positive number N for the caller's N-th
   * workspace in the order they joined (the seed's integer ids: `workspace_id: 1` is your first).
   */
  async resolveWorkspace(userId: string, named: unknown): Promise<string | undefined> {
    const text = typeof named === 'number' || typeof named === 'string' ? String(named).trim() : '';
    if (!isWorkspaceOrdinal(text)) return text || undefined;
    const rows = await this.db
      .selectFrom('workspace_member')
      .select('workspace_id')
      .where('user_id', '=', userId)
      .orderBy('added_at')
      .orderBy('workspace_id')
      .execute();
    return rows[Number(text) - 1]?.workspace_id;
  }

  /** The workflow an execution runs, from its first event (the read model may not have it yet). */
  async workflowOfExecution(executionId: string): Promise<string | undefined> {
    const [first] = await this.infra.store.readStream(executionStream(executionId), { limit: 1 });
    return first?.type === 'ExecutionStarted' ? (first.data as { workflowId: string }).workflowId : undefined;
  }

  async workflow(workflowId: string): Promise<WorkflowSummaryDto | undefined> {
    const row = await this.db.selectFrom('workflow_summary').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
    return row ? toWorkflowSummaryDto(row) : undefined;
  }

  /** The strongest of: the permission of the user's workspace role, and shares to them or their teams. */
  async workflowPermission(userId: string, workflow: WorkflowSummaryDto): Promise<{ role?: WorkspaceRole; permission?: WorkflowPermission }> {
    const role = await this.roleIn(userId, workflow.workspaceId);
    if (!role) return {}; // shares only ever go to members of the workspace
    const shares = await this.db
      .selectFrom('workflow_share')
      .select('permission')
      .where('workflow_id', '=', workflow.id)
      .where((eb) =>
        eb.or([
          eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', userId)]),
          eb.and([
            eb('grantee_kind', '=', 'team'),
            eb('grantee_id', 'in', eb.selectFrom('team_member').select('team_id').where('user_id', '=', userId)),
          ]),
        ]),
      )
      .execute();
    return { role, permission: strongestPermission([permissionOfRole(role), ...shares.map((s) => s.permission)]) };
  }
}
