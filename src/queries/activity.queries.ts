import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { ActivityDto, NotificationDto, Page, WorkflowPermission, WorkspaceRole } from '@contracts';
import type { Database } from '../adapters/database/tables';
import type { ActivityTable } from '../../projections/activity/activity.table';
import type { NotificationTable } from '../../projections/notification/notification.table';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';

/** Keyset paging on the log position, newest first. */
export interface PositionCursor {
  transactionId: string;
  globalPosition: string;
}

export interface PageRequest {
  limit: number;
  cursor?: PositionCursor;
}

/** The feed of a workspace, or of one workflow. */
export class ListActivityQuery {
  constructor(
    readonly scope: { workspaceId: string } | { workflowId: string },
    readonly page: PageRequest,
  ) {}
}

export class ListNotificationsQuery {
  constructor(
    readonly userId: string,
    readonly filter: PageRequest & { unreadOnly: boolean },
  ) {}
}

/** One notification, only if it concerns the user (else undefined: not theirs looks like absent). */
export class GetNotificationQuery {
  constructor(
    readonly userId: string,
    readonly notificationId: string,
  ) {}
}

const DIGITS = /^\d{1,19}$/;
const INT8_MAX = 9223372036854775807n;

export function encodePositionCursor(cursor: PositionCursor): string {
  return Buffer.from(JSON.stringify([cursor.transactionId, cursor.globalPosition])).toString('base64url');
}

export function decodePositionCursor(text: string): PositionCursor | undefined {
  try {
    const [transactionId, globalPosition] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    // Only what encodePositionCursor writes: two non-negative integers PostgreSQL's bigint holds.
    const valid = (v: unknown): v is string => typeof v === 'string' && DIGITS.test(v) && BigInt(v) <= INT8_MAX;
    if (!valid(transactionId) || !valid(globalPosition)) return undefined;
    return { transactionId, globalPosition };
  } catch {
    return undefined;
  }
}

/** Rows after the cursor, newest first: `(transaction_id, global_position) < cursor`. */
function beforeCursor(table: 'activity' | 'notification', cursor: PositionCursor | undefined) {
  if (!cursor) return sql<boolean>`true`;
  const position = sql`(${sql.ref(`${table}.transaction_id`)}, ${sql.ref(`${table}.global_position`)})`;
  return sql<boolean>`${position} < (${cursor.transactionId}::bigint, ${cursor.globalPosition}::bigint)`;
}

function toPage<R extends { transaction_id: string; global_position: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const page: Page<T> = { items: items.map(map) };
  if (rows.length > limit && last) {
    page.nextCursor = encodePositionCursor({ transactionId: String(last.transaction_id), globalPosition: String(last.global_position) });
  }
  return page;
}

@QueryHandler(ListActivityQuery)
export class ListActivityHandler implements IQueryHandler<ListActivityQuery, Page<ActivityDto>> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ scope, page }: ListActivityQuery): Promise<Page<ActivityDto>> {
    let query = this.infra.database.db.selectFrom('activity').selectAll();
    query = 'workflowId' in scope ? query.where('workflow_id', '=', scope.workflowId) : query.where('workspace_id', '=', scope.workspaceId);
    const rows = await query
      .where(beforeCursor('activity', page.cursor))
      .orderBy('transaction_id', 'desc')
      .orderBy('global_position', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, toActivityDto);
  }
}

export function toActivityDto(row: Selectable<ActivityTable>): ActivityDto {
  return {
    id: row.event_id,
    type: row.event_type,
    streamId: row.stream_id,
    ...(row.workspace_id ? { workspaceId: row.workspace_id } : {}),
    ...(row.workflow_id ? { workflowId: row.workflow_id } : {}),
    actor: { id: row.actor_id, ...(row.actor_name ? { name: row.actor_name } : {}) },
    occurredAt: new Date(row.occurred_at).toISOString(),
    position: `${row.transaction_id}.${row.global_position}`,
    summary: row.summary,
  };
}

/**
 * The notifications that concern `userId`: addressed to them or to a team they are in now, and
 * not caused by themselves (except a posted one: a workflow the user started may notify them).
 * The one definition both listing and mark-as-read use.
 */
function concerns(userId: string) {
  return (eb: ExpressionBuilder<Database, 'notification'>) =>
    eb.and([
      eb.or([
        eb('notification.recipient_user_id', '=', userId),
        eb('notification.recipient_team_id', 'in', eb.selectFrom('team_member').select('team_member.team_id').where('team_member.user_id', '=', userId)),
      ]),
      eb.or([eb('notification.actor_id', '<>', userId), eb('notification.kind', '=', 'Posted')]),
    ]);
}

type NotificationRow = Selectable<NotificationTable> & {
  read_by: string | null;
  workspace_name: string | null;
  workflow_name: string | null;
  team_name: string | null;
};

export function notificationsOf(infra: Infrastructure, userId: string) {
  return infra.database.db
    .selectFrom('notification')
    .leftJoin('notification_read', (join) =>
      join.onRef('notification_read.notification_id', '=', 'notification.notification_id').on('notification_read.user_id', '=', userId),
    )
    .leftJoin('workspace', 'workspace.workspace_id', 'notification.workspace_id')
    .leftJoin('workflow_summary', 'workflow_summary.workflow_id', 'notification.workflow_id')
    .leftJoin('team', 'team.team_id', 'notification.recipient_team_id')
    .selectAll('notification')
    .select([
      'notification_read.user_id as read_by',
      'workspace.name as workspace_name',
      'workflow_summary.name as workflow_name',
      'team.name as team_name',
    ])
    .where(concerns(userId));
}

@QueryHandler(ListNotificationsQuery)
export class ListNotificationsHandler implements IQueryHandler<ListNotificationsQuery, Page<NotificationDto>> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ userId, filter }: ListNotificationsQuery): Promise<Page<NotificationDto>> {
    let query = notificationsOf(this.infra, userId);
    if (filter.unreadOnly) query = query.where('notification_read.user_id', 'is', null);
    const rows = await query
      .where(beforeCursor('notification', filter.cursor))
      .orderBy('notification.transaction_id', 'desc')
      .orderBy('notification.global_position', 'desc')
      .limit(filter.limit + 1)
      .execute();
    return toPage(rows as NotificationRow[], filter.limit, toNotificationDto);
  }
}

@QueryHandler(GetNotificationQuery)
export class GetNotificationHandler implements IQueryHandler<GetNotificationQuery, NotificationDto | undefined> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ userId, notificationId }: GetNotificationQuery): Promise<NotificationDto | undefined> {
    const row = await notificationsOf(this.infra, userId).where('notification.notification_id', '=', notificationId).executeTakeFirst();
    return row ? toNotificationDto(row as NotificationRow) : undefined;
  }
}

export function toNotificationDto(row: NotificationRow): NotificationDto {
  const details = row.details as {
    permission?: WorkflowPermission;
    role?: WorkspaceRole;
    previousRole?: WorkspaceRole;
    title?: string;
    message?: string;
    level?: NotificationDto['level'];
    link?: NotificationDto['link'];
  };
  const actorName = row.actor_name ?? (row.actor_id === 'system' ? 'The system' : 'Someone');
  const byActor = row.actor_id === 'system' ? '' : ` by ${actorName}`;
  const workspaceName = row.workspace_name ?? 'a workspace';
  const workflowName = row.workflow_name ?? 'a workflow';
  let message: string;
  switch (row.kind) {
    case 'WorkflowShared':
      message = row.recipient_team_id
        ? `${actorName} shared "${workflowName}" with your team${row.team_name ? ` ${row.team_name}` : ''} (${details.permission})`
        : `${actorName} shared "${workflowName}" with you (${details.permission})`;
      break;
    case 'MemberAdded':
      message = `You were added to workspace "${workspaceName}" as ${details.role}${byActor}`;
      break;
    case 'MemberRoleChanged':
      message = `${actorName} changed your role in workspace "${workspaceName}" from ${details.previousRole} to ${details.role}`;
      break;
    case 'Posted':
      message = details.message ?? '';
      break;
  }
  return {
    id: row.notification_id,
    type: row.kind,
    read: row.read_by !== null,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actor: { id: row.actor_id, ...(row.actor_name ? { name: row.actor_name } : {}) },
    ...(row.workspace_id ? { workspace: { id: row.workspace_id, ...(row.workspace_name ? { name: row.workspace_name } : {}) } } : {}),
    ...(row.workflow_id ? { workflow: { id: row.workflow_id, ...(row.workflow_name ? { name: row.workflow_name } : {}) } } : {}),
    ...(row.recipient_team_id ? { team: { id: row.recipient_team_id, ...(row.team_name ? { name: row.team_name } : {}) } } : {}),
    ...(details.permission ? { permission: details.permission } : {}),
    ...(details.role ? { role: details.role } : {}),
    ...(details.previousRole ? { previousRole: details.previousRole } : {}),
    message,
    ...(row.kind === 'Posted' ? { title: details.title, level: details.level, ...(details.link ? { link: details.link } : {}) } : {}),
  };
}
