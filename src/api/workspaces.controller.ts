import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, HttpException, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { WorkspaceCommand } from '@contracts';
import { Access } from '../auth/access.decorator';
import { AccessService } from '../auth/access.service';
import { MEMBERSHIP_PROJECTIONS } from '../auth/accounts.service';
import { Commands } from '../commands/dispatch';
import { WorkspaceQueries } from '../queries/workspace.queries';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { problem } from './problem';
import { AddMemberRequest, AddTeamMemberRequest, ChangeRoleRequest, CreateTeamRequest, CreateWorkspaceRequest } from './workspace.dto';
import { isUuid } from '@contracts';

const ADMIN = { workspace: 'admin', workspaceParam: 'workspaceId' } as const;
const VIEWER = { workspace: 'viewer', workspaceParam: 'workspaceId' } as const;

/** Workspaces, their members and their teams (F1, F4). */
@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('api/workspaces')
export class WorkspacesController {
  constructor(
    private readonly commands: Commands,
    private readonly queries: WorkspaceQueries,
    private readonly access: AccessService,
  ) {}

  @Get()
  @Access({ signedIn: true })
  mine(@Req() req: Request) {
    return this.queries.workspacesOf(currentUser(req).id);
  }

  /** Anyone signed in may start a workspace; they own it. */
  @Post()
  @Access({ signedIn: true })
  async create(@Body() body: CreateWorkspaceRequest, @Req() req: Request) {
    const workspaceId = randomUUID();
    await this.send({ type: 'CreateWorkspace', data: { workspaceId, name: body.name, ownerId: currentUser(req).id }, metadata: commandMetadata(req, workspaceId) });
    return { id: workspaceId, name: body.name.trim(), role: 'owner' };
  }

  @Get(':workspaceId')
  @Access(VIEWER)
  async get(@Param('workspaceId') workspaceId: string, @Req() req: Request) {
    const [workspace, members, teams] = await Promise.all([this.queries.workspace(workspaceId), this.queries.members(workspaceId), this.queries.teams(workspaceId)]);
    return { ...workspace, role: requestAccess(req).role, members, teams };
  }

  @Post(':workspaceId/members')
  @Access(ADMIN)
  async addMember(@Param('workspaceId') workspaceId: string, @Body() body: AddMemberRequest, @Req() req: Request) {
    if (body.role === 'owner') this.requireOwner(req);
    if (!(await this.access.activeUser(body.userId))) throw new HttpException(problem(404, 'user-not-found', 'User not found', 'No such active user'), 404);
    await this.send({ type: 'AddMember', data: { workspaceId, userId: body.userId, role: body.role }, metadata: commandMetadata(req) });
    return { workspaceId, userId: body.userId, role: body.role };
  }

  @Patch(':workspaceId/members/:userId')
  @Access(ADMIN)
  async changeRole(@Param('workspaceId') workspaceId: string, @Param('userId') userId: string, @Body() body: ChangeRoleRequest, @Req() req: Request) {
    const current = await this.memberRole(workspaceId, userId);
    if (body.role === 'owner' || current === 'owner') this.requireOwner(req);
    await this.send({ type: 'ChangeMemberRole', data: { workspaceId, userId, role: body.role }, metadata: commandMetadata(req) });
    return { workspaceId, userId, role: body.role };
  }

  @Delete(':workspaceId/members/:userId')
  @HttpCode(200)
  @Access(ADMIN)
  async removeMember(@Param('workspaceId') workspaceId: string, @Param('userId') userId: string, @Req() req: Request) {
    if ((await this.memberRole(workspaceId, userId)) === 'owner') this.requireOwner(req);
    await this.send({ type: 'RemoveMember', data: { workspaceId, userId }, metadata: commandMetadata(req) });
    return { workspaceId, userId, removed: true };
  }

  @Get(':workspaceId/teams')
  @Access(VIEWER)
  teams(@Param('workspaceId') workspaceId: string) {
    return this.queries.teams(workspaceId);
  }

  @Post(':workspaceId/teams')
  @Access(ADMIN)
  async createTeam(@Param('workspaceId') workspaceId: string, @Body() body: CreateTeamRequest, @Req() req: Request) {
    const teamId = randomUUID();
    await this.send({ type: 'CreateTeam', data: { workspaceId, teamId, name: body.name }, metadata: commandMetadata(req) });
    return { id: teamId, name: body.name.trim(), memberIds: [] };
  }

  @Delete(':workspaceId/teams/:teamId')
  @HttpCode(200)
  @Access(ADMIN)
  async deleteTeam(@Param('workspaceId') workspaceId: string, @Param('teamId') teamId: string, @Req() req: Request) {
    await this.send({ type: 'DeleteTeam', data: { workspaceId, teamId }, metadata: commandMetadata(req) });
    return { id: teamId, deleted: true };
  }

  @Post(':workspaceId/teams/:teamId/members')
  @Access(ADMIN)
  async addTeamMember(@Param('workspaceId') workspaceId: string, @Param('teamId') teamId: string, @Body() body: AddTeamMemberRequest, @Req() req: Request) {
    await this.send({ type: 'AddTeamMember', data: { workspaceId, teamId, userId: body.userId }, metadata: commandMetadata(req) });
    return { teamId, userId: body.userId };
  }

  @Delete(':workspaceId/teams/:teamId/members/:userId')
  @HttpCode(200)
  @Access(ADMIN)
  async removeTeamMember(@Param('workspaceId') workspaceId: string, @Param('teamId') teamId: string, @Param('userId') userId: string, @Req() req: Request) {
    await this.send({ type: 'RemoveTeamMember', data: { workspaceId, teamId, userId }, metadata: commandMetadata(req) });
    return { teamId, userId, removed: true };
  }

  private send(command: WorkspaceCommand) {
    return this.commands.sendAndProject('workspace', command, MEMBERSHIP_PROJECTIONS);
  }

  private async memberRole(workspaceId: string, userId: string) {
    return isUuid(userId) ? this.access.roleIn(userId, workspaceId) : undefined;
  }

  private requireOwner(req: Request): void {
    if (requestAccess(req).role !== 'owner') throw new HttpException(problem(403, 'forbidden', 'Forbidden', 'Only an owner can make or change an owner'), 403);
  }
}
