import type { EventEnvelope } from '../messages';
import type { WorkspaceRole } from './roles';

export const EMAIL_MAX = 254;
export const DISPLAY_NAME_MAX = 100;
export const WORKSPACE_NAME_MAX = 100;
export const TEAM_NAME_MAX = 100;

// user-<id>
export interface UserRegisteredData {
  userId: string;
  email: string;
  displayName: string;
  /** scrypt hash (`scrypt$N$r$p$salt$hash`); never shown by any read model but the credentials one. */
  passwordHash: string;
  /** Whoever invited them; absent for the first owner. */
  invitedBy?: string;
  /** The user must choose a new password at the next login (invited or reset). */
  mustChangePassword: boolean;
}
export interface UserPasswordChangedData {
  userId: string;
  passwordHash: string;
  /** True when an admin reset it (the user must change it again). */
  reset: boolean;
}
export interface UserDisabledData {
  userId: string;
}
export interface UserEnabledData {
  userId: string;
}
export interface NotificationReadData {
  userId: string;
  notificationId: string;
}

export type UserRegistered = EventEnvelope<'UserRegistered', UserRegisteredData>;
export type UserPasswordChanged = EventEnvelope<'UserPasswordChanged', UserPasswordChangedData>;
export type UserDisabled = EventEnvelope<'UserDisabled', UserDisabledData>;
export type UserEnabled = EventEnvelope<'UserEnabled', UserEnabledData>;
export type NotificationRead = EventEnvelope<'NotificationRead', NotificationReadData>;
export type UserEvent = UserRegistered | UserPasswordChanged | UserDisabled | UserEnabled | NotificationRead;

// useremail-<sha256 of the lower-cased e-mail>: one stream per address makes e-mails unique.
export interface EmailReservedData {
  email: string;
  userId: string;
}
export type EmailReserved = EventEnvelope<'EmailReserved', EmailReservedData>;

// workspace-<id>
export interface WorkspaceCreatedData {
  workspaceId: string;
  name: string;
  ownerId: string;
}
export interface MemberAddedData {
  workspaceId: string;
  userId: string;
  role: WorkspaceRole;
}
export interface MemberRoleChangedData {
  workspaceId: string;
  userId: string;
  role: WorkspaceRole;
  previousRole: WorkspaceRole;
}
export interface MemberRemovedData {
  workspaceId: string;
  userId: string;
}
export interface TeamCreatedData {
  workspaceId: string;
  teamId: string;
  name: string;
}
export interface TeamDeletedData {
  workspaceId: string;
  teamId: string;
}
export interface TeamMemberAddedData {
  workspaceId: string;
  teamId: string;
  userId: string;
}
export interface TeamMemberRemovedData {
  workspaceId: string;
  teamId: string;
  userId: string;
}

export const NOTIFICATION_LEVELS = ['info', 'success', 'warning', 'error'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];
export const NOTIFICATION_TITLE_MAX = 200;
export const NOTIFICATION_MESSAGE_MAX = 2000;
export const NOTIFICATION_RECIPIENTS_MAX = 1000;

/**
 * A notification posted to members of the workspace (a send_notification step). Recipients are
 * user ids, resolved before sending (a role becomes its members then), so the event alone decides
 * who got it; each recipient's copy has its own id (see the notification projector).
 */
export interface NotificationPostedData {
  notificationId: string;
  workspaceId: string;
  recipientUserIds: string[];
  title: string;
  message: string;
  level: NotificationLevel;
  /** Where it leads: the run that posted it, and/or a URL or app path. */
  link?: { executionId?: string; workflowId?: string; url?: string };
}

export type WorkspaceCreated = EventEnvelope<'WorkspaceCreated', WorkspaceCreatedData>;
export type MemberAdded = EventEnvelope<'MemberAdded', MemberAddedData>;
export type MemberRoleChanged = EventEnvelope<'MemberRoleChanged', MemberRoleChangedData>;
export type MemberRemoved = EventEnvelope<'MemberRemoved', MemberRemovedData>;
export type TeamCreated = EventEnvelope<'TeamCreated', TeamCreatedData>;
export type TeamDeleted = EventEnvelope<'TeamDeleted', TeamDeletedData>;
export type TeamMemberAdded = EventEnvelope<'TeamMemberAdded', TeamMemberAddedData>;
export type TeamMemberRemoved = EventEnvelope<'TeamMemberRemoved', TeamMemberRemovedData>;
export type NotificationPosted = EventEnvelope<'NotificationPosted', NotificationPostedData>;
export type WorkspaceEvent =
  | NotificationPosted
  | WorkspaceCreated
  | MemberAdded
  | MemberRoleChanged
  | MemberRemoved
  | TeamCreated
  | TeamDeleted
  | TeamMemberAdded
  | TeamMemberRemoved;
