import type { Insertable, Transaction } from 'kysely';
import type { RecordedEvent, UserEvent, WorkflowEvent, WorkspaceEvent } from '@contracts';
import { categoryOf, idOf, isUuid, StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { ActivityTable } from './activity.table';

const TEXT_MAX = 200;

type FeedEvent = WorkflowEvent | WorkspaceEvent | UserEvent;

/**
 * What changed, in a few harmless fields. A whitelist on purpose: an event type this function
 * does not know yet gets an empty summary, so a new event carrying a secret cannot leak through
 * the feed by default. Password hashes and token hashes are never copied.
 */
export function summarize(event: Pick<RecordedEvent, 'type' | 'data'>): Record<string, unknown> {
  const e = event as FeedEvent;
  switch (e.type) {
    // workflow-<id>
    case 'WorkflowCreated':
      return { name: e.data.name, description: clip(e.data.description) };
    case 'WorkflowRenamed':
      return { name: e.data.name, previousName: e.data.previousName };
    case 'WorkflowDescriptionChanged':
      return { description: clip(e.data.description) };
    case 'WorkflowArchived':
    case 'WorkflowRestored':
      return {};
    case 'WorkflowShared':
      return { shareId: e.data.shareId, grantee: { kind: e.data.grantee.kind, id: e.data.grantee.id }, permission: e.data.permission };
    case 'WorkflowShareChanged':
      return { shareId: e.data.shareId, permission: e.data.permission, previousPermission: e.data.previousPermission };
    case 'WorkflowShareRevoked':
      return { shareId: e.data.shareId };
    case 'PublicLinkCreated': // not the token hash
      return { linkId: e.data.linkId, expiresAt: e.data.expiresAt, includeExecutions: e.data.includeExecutions };
    case 'PublicLinkRevoked':
      return { linkId: e.data.linkId };
    // workspace-<id>
    case 'WorkspaceCreated':
      return { name: e.data.name, ownerId: e.data.ownerId };
    case 'MemberAdded':
      return { userId: e.data.userId, role: e.data.role };
    case 'MemberRoleChanged':
      return { userId: e.data.userId, role: e.data.role, previousRole: e.data.previousRole };
    case 'MemberRemoved':
      return { userId: e.data.userId };
    case 'TeamCreated':
      return { teamId: e.data.teamId, name: e.data.name };
    case 'TeamDeleted':
      return { teamId: e.data.teamId };
    case 'TeamMemberAdded':
    case 'TeamMemberRemoved':
      return { teamId: e.data.teamId, userId: e.data.userId };
    // user-<id>: never the password hash
    case 'UserRegistered':
      return { email: e.data.email, displayName: e.data.displayName };
    case 'UserPasswordChanged':
      return { reset: e.data.reset };
    case 'UserDisabled':
    case 'UserEnabled':
      return {};
    case 'NotificationRead':
      return { notificationId: e.data.notificationId };
    default:
      return {};
  }
}

/** The activity row of one event: a function of the event alone, so a rebuild gives the same rows. */
export function activityRow(event: RecordedEvent): Insertable<ActivityTable> {
  const category = categoryOf(event.streamId);
  // A workspace event belongs to its own stream's workspace; the others to the request's.
  const workspaceId = category === StreamCategory.workspace ? idOf(event.streamId) : event.metadata.workspaceId;
  const workflowId = category === StreamCategory.workflow ? idOf(event.streamId) : undefined;
  return {
    event_id: event.metadata.eventId,
    transaction_id: event.position.transactionId.toString(),
    global_position: event.position.globalPosition.toString(),
    workspace_id: uuidOrNull(workspaceId),
    workflow_id: uuidOrNull(workflowId),
    stream_id: event.streamId,
    event_type: event.type,
    actor_id: event.metadata.actor.id,
    actor_name: event.metadata.actor.name ?? null,
    occurred_at: event.metadata.occurredAt,
    summary: JSON.stringify(summarize(event)),
  };
}

/** `activity`: the feed of every workspace and workflow (F5). Insert-only, idempotent by event id. */
export const activityProjector: Projector = {
  name: 'activity',
  categories: [StreamCategory.workflow, StreamCategory.workspace, StreamCategory.user],
  tables: ['activity'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await trx
      .insertInto('activity')
      .values(events.map(activityRow))
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  },
};

function uuidOrNull(value: string | undefined): string | null {
  return isUuid(value) ? value : null;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text;
}
