import type { WorkflowPermission, WorkspaceRole } from '@contracts';
import type { WorkflowSummaryDto } from '@contracts';

/** The caller, as the JWT guard leaves it on `req.user`. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  displayName: string;
}

/** What the access guard established for this request (`req.access`). */
export interface RequestAccess {
  workspaceId: string;
  /** The caller's role in that workspace (absent for a share grantee from another angle: never, shares are to members). */
  role?: WorkspaceRole;
  /** For workflow routes: the workflow and the caller's permission on it. */
  workflow?: WorkflowSummaryDto;
  permission?: WorkflowPermission;
}

export interface JwtClaims {
  sub: string;
  typ: 'access' | 'refresh';
  email?: string;
  iat?: number;
  /** Issue time in milliseconds: tokens issued before the last password change are refused. */
  iatMs?: number;
  exp?: number;
}
