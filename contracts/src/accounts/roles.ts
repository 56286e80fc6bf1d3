/** Roles in a workspace, weakest first. */
export const WORKSPACE_ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** What a share grants on one workflow, weakest first. */
export const WORKFLOW_PERMISSIONS = ['view', 'run', 'edit', 'admin'] as const;
export type WorkflowPermission = (typeof WORKFLOW_PERMISSIONS)[number];

export const roleRank = (role: WorkspaceRole): number => WORKSPACE_ROLES.indexOf(role);
export const permissionRank = (permission: WorkflowPermission): number => WORKFLOW_PERMISSIONS.indexOf(permission);

/** The permission a workspace role gives on every workflow of the workspace. */
export function permissionOfRole(role: WorkspaceRole): WorkflowPermission {
  switch (role) {
    case 'owner':
    case 'admin':
      return 'admin';
    case 'editor':
      return 'edit';
    case 'viewer':
      return 'view';
  }
}

export function strongestPermission(permissions: readonly WorkflowPermission[]): WorkflowPermission | undefined {
  return permissions.reduce<WorkflowPermission | undefined>(
    (best, p) => (best === undefined || permissionRank(p) > permissionRank(best) ? p : best),
    undefined,
  );
}
