import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, HttpException, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { WorkflowCommand } from '@contracts';
import { Access } from '../auth/access.decorator';
import { AccessService } from '../auth/access.service';
import { Commands } from '../commands/dispatch';
import { WorkspaceQueries } from '../queries/workspace.queries';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { commandMetadata, requestAccess } from './request-metadata';
import { problem } from './problem';
import { ChangeShareRequest, CreatePublicLinkRequest, ShareRequest } from './sharing.dto';

const ACCESS_PROJECTIONS = ['workflow_access'] as const;
const DEFAULT_LINK_HOURS = 168;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Shares of a workflow with users and teams of its workspace (F2), and public links (F3). */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('api/workflows/:id')
export class SharingController {
  constructor(
    private readonly commands: Commands,
    private readonly access: AccessService,
    private readonly workspaces: WorkspaceQueries,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  @Get('shares')
  @Access({ workflow: 'view' })
  async shares(@Param('id') id: string) {
    const rows = await this.infra.database.db.selectFrom('workflow_share').selectAll().where('workflow_id', '=', id).orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.share_id,
      grantee: { kind: r.grantee_kind, id: r.grantee_id },
      permission: r.permission,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
    }));
  }

  @Post('shares')
  @Access({ workflow: 'admin' })
  async share(@Param('id') id: string, @Body() body: ShareRequest, @Req() req: Request) {
    const { workspaceId } = requestAccess(req);
    const inWorkspace =
      body.grantee.kind === 'user'
        ? !!(await this.access.roleIn(body.grantee.id, workspaceId))
        : await this.workspaces.isTeamOf(body.grantee.id, workspaceId);
    if (!inWorkspace) {
      throw new HttpException(problem(422, 'grantee-not-in-workspace', 'Grantee not in workspace', `Share only with members and teams of this workspace`), 422);
    }
    const shareId = randomUUID();
    await this.send({ type: 'ShareWorkflow', data: { workflowId: id, shareId, grantee: body.grantee, permission: body.permission }, metadata: commandMetadata(req) });
    return { id: shareId, grantee: body.grantee, permission: body.permission };
  }

  @Patch('shares/:shareId')
  @Access({ workflow: 'admin' })
  async change(@Param('id') id: string, @Param('shareId') shareId: string, @Body() body: ChangeShareRequest, @Req() req: Request) {
    await this.send({ type: 'ChangeShare', data: { workflowId: id, shareId, permission: body.permission }, metadata: commandMetadata(req) });
    return { id: shareId, permission: body.permission };
  }

  @Delete('shares/:shareId')
  @HttpCode(200)
  @Access({ workflow: 'admin' })
  async revoke(@Param('id') id: string, @Param('shareId') shareId: string, @Req() req: Request) {
    await this.send({ type: 'RevokeShare', data: { workflowId: id, shareId }, metadata: commandMetadata(req) });
    return { id: shareId, revoked: true };
  }

  @Get('public-links')
  @Access({ workflow: 'admin' })
  async links(@Param('id') id: string) {
    const rows = await this.infra.database.db.selectFrom('public_link').selectAll().where('workflow_id', '=', id).orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.link_id,
      expiresAt: new Date(r.expires_at).toISOString(),
      includeExecutions: r.include_executions,
      revoked: r.revoked,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
    }));
  }

  /** The token is in this answer only; the store keeps its SHA-256. */
  @Post('public-links')
  @Access({ workflow: 'admin' })
  async createLink(@Param('id') id: string, @Body() body: CreatePublicLinkRequest, @Req() req: Request) {
    if (body.expiresAt !== undefined && body.expiresInHours !== undefined) {
      throw new HttpException(problem(400, 'bad-request', 'Bad request', 'Give expiresAt or expiresInHours, not both'), 400);
    }
    const metadata = commandMetadata(req);
    const expiresAt = body.expiresAt ?? new Date(Date.parse(metadata.occurredAt) + (body.expiresInHours ?? DEFAULT_LINK_HOURS) * 3_600_000).toISOString();
    const token = randomBytes(32).toString('base64url');
    const linkId = randomUUID();
    await this.send({
      type: 'CreatePublicLink',
      data: { workflowId: id, linkId, tokenHash: hashToken(token), expiresAt, includeExecutions: body.includeExecutions ?? false },
      metadata,
    });
    return { id: linkId, token, url: `/api/public/${token}`, expiresAt: new Date(expiresAt).toISOString(), includeExecutions: body.includeExecutions ?? false };
  }

  @Delete('public-links/:linkId')
  @HttpCode(200)
  @Access({ workflow: 'admin' })
  async revokeLink(@Param('id') id: string, @Param('linkId') linkId: string, @Req() req: Request) {
    await this.send({ type: 'RevokePublicLink', data: { workflowId: id, linkId }, metadata: commandMetadata(req) });
    return { id: linkId, revoked: true };
  }

  private send(command: WorkflowCommand) {
    return this.commands.sendAndProject('workflow', command, ACCESS_PROJECTIONS);
  }
}
