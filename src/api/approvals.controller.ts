import { Body, Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { roleRank, type WorkspaceRole } from '@contracts';
import { Access } from '../auth/access.decorator';
import { AccessService } from '../auth/access.service';
import { Commands } from '../commands/dispatch';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { ExecutionQueries } from '../queries/execution.queries';
import { problem } from './problem';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { ApprovalDecisionRequest, ApprovalParams, ListApprovalsParams } from './execution.dto';

/**
 * Approvals (SPEC B8): the inbox (`?mine=1`: what I may answer) and the answer. Who may answer is
 * the request's named users, or anyone with its role or a higher one in the workspace.
 */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/approvals')
export class ApprovalsController {
  constructor(
    private readonly commands: Commands,
    private readonly queries: ExecutionQueries,
    private readonly access: AccessService,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  @Get()
  @Access({ workspace: 'viewer' })
  async list(@Query() params: ListApprovalsParams, @Req() req: Request) {
    const { workspaceId, role } = requestAccess(req);
    const mine = params.mine === '1' || params.mine === 'true';
    const items = await this.queries.approvals(workspaceId, {
      ...(mine ? { userId: currentUser(req).id, role, roleRank: (r: string) => roleRank(r as WorkspaceRole) } : {}),
      status: params.status ?? (mine ? 'pending' : undefined),
      limit: params.limit ?? 50,
    });
    return { items };
  }

  @Post(':approvalId/decision')
  @HttpCode(202)
  @Access({ signedIn: true })
  async decide(@Param() { approvalId }: ApprovalParams, @Body() body: ApprovalDecisionRequest, @Req() req: Request) {
    const user = currentUser(req);
    const row = await this.queries.approval(approvalId);
    const role = row ? await this.access.roleIn(user.id, row.workspace_id) : undefined;
    // Outside the workspace the request does not exist; inside it, only its approvers may answer.
    if (!row || !role) throw new HttpException(problem(404, 'approval-not-found', 'Approval not found', `No approval ${approvalId}`), 404);
    const named = row.approver_user_ids.includes(user.id);
    const byRole = row.approver_role !== null && roleRank(role) >= roleRank(row.approver_role as WorkspaceRole);
    if (!named && !byRole) throw new HttpException(problem(403, 'forbidden', 'Forbidden', 'You are not an approver of this request'), 403);
    const result = await this.commands.send('execution', {
      type: 'DecideApproval',
      data: { executionId: row.execution_id, approvalId, decision: body.decision, userId: user.id, ...(body.comment ? { comment: body.comment } : {}) },
      metadata: commandMetadata(req, row.workspace_id),
    });
    return { approvalId, decision: body.decision, events: result.events.map((e) => e.type) };
  }
}
