import type { WorkflowPermission, WorkspaceRole } from '../accounts/roles';

/** Who did something, as the event recorded them (their name at the time). */
export interface ActivityActorDto {
  id: string;
  name?: string;
}

/** One row of `GET /api/activity` and `GET /api/workflows/:id/activity`: one event. */
export interface ActivityDto {
  /** The event's id. */
  id: string;
  type: string;
  streamId: string;
  workspaceId?: string;
  workflowId?: string;
  actor: ActivityActorDto;
  occurredAt: string;
  /** Log position (`<transactionId>.<globalPosition>`); the feed is newest first by it. */
  position: string;
  /** A few harmless fields of what changed (never a password or token hash). */
  summary: Record<string, unknown>;
}

/** `Posted`: a workflow's send_notification step posted it (title, level and link are set). */
export type NotificationType = 'WorkflowShared' | 'MemberAdded' | 'MemberRoleChanged' | 'Posted';

/** One row of `GET /api/notifications`: something that concerns the caller. */
export interface NotificationDto {
  id: string;
  type: NotificationType;
  read: boolean;
  occurredAt: string;
  actor: ActivityActorDto;
  workspace?: { id: string; name?: string };
  workflow?: { id: string; name?: string };
  /** Set when it reached the caller through one of their teams. */
  team?: { id: string; name?: string };
  permission?: WorkflowPermission;
  role?: WorkspaceRole;
  previousRole?: WorkspaceRole;
  /** A sentence for people: "Ann shared "Onboarding" with you (edit)". */
  message: string;
  /** Posted notifications: the headline, how it matters, and where it leads. */
  title?: string;
  level?: 'info' | 'success' | 'warning' | 'error';
  link?: { executionId?: string; workflowId?: string; url?: string };
}
