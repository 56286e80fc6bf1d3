import type { Command } from '../messages';
import type { WorkspaceRole } from './roles';
import type { NotificationPostedData } from './events';

export type RegisterUser = Command<
  'RegisterUser',
  { userId: string; email: string; displayName: string; passwordHash: string; invitedBy?: string; mustChangePassword: boolean }
>;
export type ChangePassword = Command<'ChangePassword', { userId: string; passwordHash: string; reset: boolean }>;
export type DisableUser = Command<'DisableUser', { userId: string }>;
export type EnableUser = Command<'EnableUser', { userId: string }>;
export type MarkNotificationRead = Command<'MarkNotificationRead', { userId: string; notificationId: string }>;
export type UserCommand = RegisterUser | ChangePassword | DisableUser | EnableUser | MarkNotificationRead;

export type CreateWorkspace = Command<'CreateWorkspace', { workspaceId: string; name: string; ownerId: string }>;
export type AddMember = Command<'AddMember', { workspaceId: string; userId: string; role: WorkspaceRole }>;
export type ChangeMemberRole = Command<'ChangeMemberRole', { workspaceId: string; userId: string; role: WorkspaceRole }>;
export type RemoveMember = Command<'RemoveMember', { workspaceId: string; userId: string }>;
export type CreateTeam = Command<'CreateTeam', { workspaceId: string; teamId: string; name: string }>;
export type DeleteTeam = Command<'DeleteTeam', { workspaceId: string; teamId: string }>;
export type AddTeamMember = Command<'AddTeamMember', { workspaceId: string; teamId: string; userId: string }>;
export type RemoveTeamMember = Command<'RemoveTeamMember', { workspaceId: string; teamId: string; userId: string }>;
/** Posts a notification to members of the workspace (recipients as user ids; see NotificationPosted). */
export type PostNotification = Command<'PostNotification', NotificationPostedData>;
export type WorkspaceCommand =
  | PostNotification
  | CreateWorkspace
  | AddMember
  | ChangeMemberRole
  | RemoveMember
  | CreateTeam
  | DeleteTeam
  | AddTeamMember
  | RemoveTeamMember;
