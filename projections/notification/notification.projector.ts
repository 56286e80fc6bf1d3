import type { Insertable, Transaction } from 'kysely';
import type { RecordedEvent, UserEvent, WorkflowEvent, WorkspaceEvent } from '@contracts';
import { isUuid, StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { NotificationReadTable, NotificationTable } from './notification.table';
import { recipientNotificationId } from './posted-notification-id';


type Row = Insertable<NotificationTable>;

/**
 * The notification an event gives rise to, if any: a function of the event alone (its id is the
 * event's id), so a rebuild gives the same rows. Whether the actor is also the recipient is left
 * to the read side, which hides what you did to yourself.
 */
export function notificationOf(recorded: RecordedEvent): Row | undefined {
  const event = recorded as RecordedEvent & (WorkflowEvent | WorkspaceEvent);
  const base = {
    notification_id: recorded.metadata.eventId,
    actor_id: recorded.metadata.actor.id,
    actor_name: recorded.metadata.actor.name ?? null,
    occurred_at: recorded.metadata.occurredAt,
    transaction_id: recorded.position.transactionId.toString(),
    global_position: recorded.position.globalPosition.toString(),
    recipient_user_id: null,
    recipient_team_id: null,
  };
  switch (event.type) {
    case 'WorkflowShared': {
      const { grantee } = event.data;
      if (!isUuid(grantee.id)) return undefined;
      return {
        ...base,
        kind: 'WorkflowShared',
        ...(grantee.kind === 'team' ? { recipient_team_id: grantee.id } : { recipient_user_id: grantee.id }),
        workspace_id: uuidOrNull(event.metadata.workspaceId),
        workflow_id: uuidOrNull(event.data.workflowId),
        details: JSON.stringify({ shareId: event.data.shareId, permission: event.data.permission }),
      };
    }
    case 'MemberAdded':
      if (!isUuid(event.data.userId)) return undefined;
      return {
        ...base,
        kind: 'MemberAdded',
        recipient_user_id: event.data.userId,
        workspace_id: uuidOrNull(event.data.workspaceId),
        workflow_id: null,
        details: JSON.stringify({ role: event.data.role }),
      };
    case 'MemberRoleChanged':
      if (!isUuid(event.data.userId)) return undefined;
      return {
        ...base,
        kind: 'MemberRoleChanged',
        recipient_user_id: event.data.userId,
        workspace_id: uuidOrNull(event.data.workspaceId),
        workflow_id: null,
        details: JSON.stringify({ role: event.data.role, previousRole: event.data.previousRole }),
      };
    default:
      return undefined;
  }
}

/**
 * A `NotificationPosted` on the workspace's stream: one row per recipient, each with its own id
 * (derived from the posted id and the user's), so each reads and marks their own copy.
 */
export function postedNotificationsOf(recorded: RecordedEvent): Row[] {
  const event = recorded as RecordedEvent & WorkspaceEvent;
  if (event.type !== 'NotificationPosted') return [];
  const { notificationId, workspaceId, recipientUserIds, title, message, level, link } = event.data;
  if (!isUuid(notificationId)) return [];
  return recipientUserIds.filter((userId) => isUuid(userId)).map((userId) => ({
    notification_id: recipientNotificationId(notificationId, userId),
    kind: 'Posted' as const,
    recipient_user_id: userId,
    recipient_team_id: null,
    workspace_id: uuidOrNull(workspaceId),
    workflow_id: uuidOrNull(link?.workflowId),
    actor_id: recorded.metadata.actor.id,
    actor_name: recorded.metadata.actor.name ?? null,
    occurred_at: recorded.metadata.occurredAt,
    transaction_id: recorded.position.transactionId.toString(),
    global_position: recorded.position.globalPosition.toString(),
    details: JSON.stringify({ postedId: notificationId, title, message, level, ...(link ? { link } : {}) }),
  }));
}

/** A `NotificationRead` on the user's stream: that user has read that notification. */
export function readMarkOf(recorded: RecordedEvent): Insertable<NotificationReadTable> | undefined {
  const event = recorded as RecordedEvent & UserEvent;
  if (event.type !== 'NotificationRead') return undefined;
  // The API only sends ids of existing notifications; anything else could not be stored (uuid).
  if (!isUuid(event.data.notificationId) || !isUuid(event.data.userId)) return undefined;
  return { notification_id: event.data.notificationId, user_id: event.data.userId, read_at: event.metadata.occurredAt };
}

/** `notification` and `notification_read`: what concerns me, and what I have read (F5). */
export const notificationProjector: Projector = {
  name: 'notification',
  categories: [StreamCategory.workflow, StreamCategory.workspace, StreamCategory.user],
  tables: ['notification', 'notification_read'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    const notifications = events.flatMap((event) => {
      const one = notificationOf(event);
      return one ? [one] : postedNotificationsOf(event);
    });
    const reads = events.map(readMarkOf).filter((r): r is Insertable<NotificationReadTable> => r !== undefined);
    if (notifications.length > 0) {
      await trx
        .insertInto('notification')
        .values(notifications)
        .onConflict((oc) => oc.column('notification_id').doNothing())
        .execute();
    }
    if (reads.length > 0) {
      await trx
        .insertInto('notification_read')
        .values(reads)
        .onConflict((oc) => oc.columns(['notification_id', 'user_id']).doNothing())
        .execute();
    }
  },
};

const uuidOrNull = (value: string | undefined): string | null => (isUuid(value) ? value : null);
