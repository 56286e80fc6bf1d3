import type { Transaction } from 'kysely';
import type { RecordedEvent, WorkspaceEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';

/** Workspaces, their members with roles, teams and team members: what authorization reads. */
export const workspaceMembershipProjector: Projector = {
  name: 'workspace_membership',
  categories: [StreamCategory.workspace],
  tables: ['workspace', 'workspace_member', 'team', 'team_member'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const event = recorded as RecordedEvent & WorkspaceEvent;
      const at = event.metadata.occurredAt;
      switch (event.type) {
        case 'WorkspaceCreated':
          await trx
            .insertInto('workspace')
            .values({ workspace_id: event.data.workspaceId, name: event.data.name, owner_id: event.data.ownerId, created_at: at })
            .onConflict((oc) => oc.column('workspace_id').doNothing())
            .execute();
          break;
        case 'MemberAdded':
          await trx
            .insertInto('workspace_member')
            .values({ workspace_id: event.data.workspaceId, user_id: event.data.userId, role: event.data.role, added_at: at })
            .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: event.data.role }))
            .execute();
          break;
        case 'MemberRoleChanged':
          await trx
            .updateTable('workspace_member')
            .set({ role: event.data.role })
            .where('workspace_id', '=', event.data.workspaceId)
            .where('user_id', '=', event.data.userId)
            .execute();
          break;
        case 'MemberRemoved':
          await trx.deleteFrom('workspace_member').where('workspace_id', '=', event.data.workspaceId).where('user_id', '=', event.data.userId).execute();
          break;
        case 'TeamCreated':
          await trx
            .insertInto('team')
            .values({ team_id: event.data.teamId, workspace_id: event.data.workspaceId, name: event.data.name, created_at: at })
            .onConflict((oc) => oc.column('team_id').doNothing())
            .execute();
          break;
        case 'TeamDeleted':
          await trx.deleteFrom('team_member').where('team_id', '=', event.data.teamId).execute();
          await trx.deleteFrom('team').where('team_id', '=', event.data.teamId).execute();
          break;
        case 'TeamMemberAdded':
          await trx
            .insertInto('team_member')
            .values({ team_id: event.data.teamId, user_id: event.data.userId, workspace_id: event.data.workspaceId })
            .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
            .execute();
          break;
        case 'TeamMemberRemoved':
          await trx.deleteFrom('team_member').where('team_id', '=', event.data.teamId).where('user_id', '=', event.data.userId).execute();
          break;
      }
    }
  },
};
