import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';
import { compiledOnce } from '../adapters/database/compiled-once';
import type { WorkflowPermission, WorkflowSummaryDto, WorkspaceRole } from '@contracts';
import { StreamCategory, executionStream, isWorkspaceOrdinal, permissionOfRole, strongestPermission } from '@contracts';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { toWorkflowSummaryDto } from '../queries/workflow.queries';
import { ExpiringCache } from '../queries/expiring-cache';
import { touchesCategories } from '../../projections/read-model-changes';
import type { AuthenticatedUser } from './auth.types';

/** Reads the membership and share read models to answer "may this user do that?". */
@Injectable()
export class AccessService implements OnModuleDestroy {
  /**
   * The access check's query (see workflowAccess), compiled once: every API request on a workflow
   * makes it, and building it with kysely each time cost more than running it.
   */
  private readonly accessQuery: ReturnType<typeof accessQueryOf>;
  /** Its answers, by workflow, user and account, while this process runs the projections (see accessRow). */
  private readonly accessRows = new ExpiringCache<AccessRow | undefined>(ACCESS_ROW_MS);
  private readonly stopListening: () => void;

  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {
    this.accessQuery = accessQueryOf(infra.database.db);
    this.stopListening = infra.readModels.onChange((streamIds) => (touchesAccess(streamIds) ? this.accessRows.hold() : undefined));
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

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
    return row ? activeAccount(row, issuedAtMs) : undefined;
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

  /**
   * The workflow and what the user may do with it, in one query: the strongest of the permission
   * of their workspace role and the shares to them or their teams. No role in the workflow's
   * workspace means no permission (shares only ever go to members of the workspace).
   */
  async workflowAccess(
    userId: string,
    workflowId: string,
    account?: { issuedAtMs: number },
  ): Promise<{ workflow?: WorkflowSummaryDto; role?: WorkspaceRole; permission?: WorkflowPermission; user?: AuthenticatedUser }> {
    const row = await this.accessRow(userId, workflowId, account ? userId : null);
    if (!row) return {};
    const { member_role: role, shares, account_id, account_email, account_name, account_disabled, account_password_changed_at, ...summary } = row;
    const user =
      account && account_id !== null
        ? activeAccount({ user_id: account_id, email: account_email!, display_name: account_name!, disabled: account_disabled!, password_changed_at: account_password_changed_at }, account.issuedAtMs)
        : undefined;
    const workflow = toWorkflowSummaryDto(summary);
    if (!role) return { workflow, user };
    const granted = typeof shares === 'string' ? (JSON.parse(shares) as WorkflowPermission[]) : (shares ?? []);
    return { workflow, role, permission: strongestPermission([permissionOfRole(role), ...granted]), user };
  }

  /**
   * The access query's row. Every run started through the API makes this check, and the query was
   * nearly half the statements PostgreSQL ran per run. What it reads (the workflow's summary and
   * shares, the workspace's members and teams, the account) changes only through projections.
   * Where they run in this process, the cache is held while they commit such a change and emptied
   * after (touchesAccess), so a row kept here is never older than the read model. A process
   * without projections would only learn of a revoked role when the row expired: there every
   * check reads.
   */
  private async accessRow(userId: string, workflowId: string, accountId: string | null): Promise<AccessRow | undefined> {
    const read = async () => (await this.accessQuery({ userId, workflowId, accountId }))[0];
    if (!this.infra.readModels.projecting) return read();
    return this.accessRows.get(`${workflowId}|${userId}|${accountId ?? ''}`, read);
  }
}

/**
 * Whether events of these streams may change an access row: a workflow's (its summary, its shares),
 * a workspace's (members, teams) or a user's (the account). While a projection commits such events
 * the cache is held (every check reads) and then emptied: seldom, next to the runs' events.
 */
function touchesAccess(streamIds: ReadonlySet<string>): boolean {
  return touchesCategories(streamIds, ACCESS_CATEGORIES);
}

const ACCESS_CATEGORIES = [StreamCategory.workflow, StreamCategory.workspace, StreamCategory.user];

/** How long an access row is kept at most (see accessRow): a backstop, since the projections drop it when it changes. */
const ACCESS_ROW_MS = 5000;

type AccessRow = Awaited<ReturnType<ReturnType<typeof accessQueryOf>>>[number];

/** The account as a signed-in user: not disabled and, given the token's issue time, not signed out by a password change since. */
function activeAccount(
  row: { user_id: string; email: string; display_name: string; disabled: boolean; password_changed_at: Date | string | null },
  issuedAtMs: number | undefined,
): AuthenticatedUser | undefined {
  if (row.disabled) return undefined;
  if (issuedAtMs !== undefined && row.password_changed_at && issuedAtMs < new Date(row.password_changed_at).getTime()) return undefined;
  return { id: row.user_id, email: row.email, displayName: row.display_name };
}

/**
 * The workflow and the user's role, shares and account, in one query: `accountId` is the user's id
 * when the account comes along (JwtAuthGuard leaves its check to this query), else null.
 */
function accessQueryOf(db: Kysely<Database>) {
  return compiledOnce(db, ['userId', 'workflowId', 'accountId'], (v) =>
    db
      .selectFrom('workflow_summary as s')
      .leftJoin('workspace_member as m', (join) =>
        // workflow_summary keeps the workspace id as text; membership has it as a uuid.
        join.on('m.user_id', '=', v.userId).on((eb) => eb(eb.ref('m.workspace_id'), '=', sql<string>`${sql.ref('s.workspace_id')}::uuid`)),
      )
      // With `account`, the caller's account comes along (see JwtAuthGuard); without, the join finds nothing.
      .leftJoin('user_account as u', (join) => join.on('u.user_id', '=', v.accountId))
      .selectAll('s')
      .select(['m.role as member_role', 'u.user_id as account_id', 'u.email as account_email', 'u.display_name as account_name', 'u.disabled as account_disabled', 'u.password_changed_at as account_password_changed_at'])
      .select((eb) =>
        eb
          .selectFrom('workflow_share as sh')
          .select(sql<WorkflowPermission[] | null>`json_agg(sh.permission)`.as('permissions'))
          .whereRef('sh.workflow_id', '=', 's.workflow_id')
          .where((w) =>
            w.or([
              w.and([w('sh.grantee_kind', '=', 'user'), w('sh.grantee_id', '=', v.userId)]),
              w.and([w('sh.grantee_kind', '=', 'team'), w('sh.grantee_id', 'in', w.selectFrom('team_member').select('team_id').where('user_id', '=', v.userId))]),
            ]),
          )
          .as('shares'),
      )
      .where('s.workflow_id', '=', v.workflowId),
  );
}
