import { Inject, Injectable } from '@nestjs/common';
import type { WorkspaceRole } from '@contracts';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';

export interface MemberDto {
  id: string;
  email: string;
  displayName: string;
  role: WorkspaceRole;
  disabled: boolean;
}

export interface TeamDto {
  id: string;
  name: string;
  memberIds: string[];
}

/** Reads of the membership and account read models. */
@Injectable()
export class WorkspaceQueries {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  private get db() {
    return this.infra.database.db;
  }

  async members(workspaceId: string): Promise<MemberDto[]> {
    const rows = await this.db
      .selectFrom('workspace_member')
      .innerJoin('user_account', 'user_account.user_id', 'workspace_member.user_id')
      .select(['user_account.user_id', 'user_account.email', 'user_account.display_name', 'user_account.disabled', 'workspace_member.role'])
      .where('workspace_member.workspace_id', '=', workspaceId)
      .orderBy('user_account.email')
      .execute();
    return rows.map((r) => ({ id: r.user_id, email: r.email, displayName: r.display_name, role: r.role, disabled: r.disabled }));
  }

  async teams(workspaceId: string): Promise<TeamDto[]> {
    const teams = await this.db.selectFrom('team').select(['team_id', 'name']).where('workspace_id', '=', workspaceId).orderBy('name').execute();
    const members = await this.db.selectFrom('team_member').select(['team_id', 'user_id']).where('workspace_id', '=', workspaceId).execute();
    return teams.map((t) => ({
      id: t.team_id,
      name: t.name,
      memberIds: members.filter((m) => m.team_id === t.team_id).map((m) => m.user_id).sort(),
    }));
  }

  async workspace(workspaceId: string) {
    const row = await this.db.selectFrom('workspace').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    return row ? { id: row.workspace_id, name: row.name, ownerId: row.owner_id, createdAt: new Date(row.created_at).toISOString() } : undefined;
  }

  async workspacesOf(userId: string) {
    return this.db
      .selectFrom('workspace_member')
      .innerJoin('workspace', 'workspace.workspace_id', 'workspace_member.workspace_id')
      .select(['workspace.workspace_id as id', 'workspace.name as name', 'workspace_member.role as role'])
      .where('workspace_member.user_id', '=', userId)
      .orderBy('workspace_member.added_at')
      .execute();
  }

  async isTeamOf(teamId: string, workspaceId: string): Promise<boolean> {
    const row = await this.db.selectFrom('team').select('team_id').where('team_id', '=', teamId).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return !!row;
  }
}
