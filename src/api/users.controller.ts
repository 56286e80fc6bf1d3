import { Body, Controller, Get, HttpCode, HttpException, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { isUuid, roleRank, type WorkspaceRole } from '@contracts';
import { Access } from '../auth/access.decorator';
import { AccessService } from '../auth/access.service';
import { ACCOUNT_PROJECTIONS, AccountsService, MEMBERSHIP_PROJECTIONS } from '../auth/accounts.service';
import { hashPassword, temporaryPassword } from '../auth/passwords';
import { Commands } from '../commands/dispatch';
import { WorkspaceQueries } from '../queries/workspace.queries';
import { InviteUserRequest } from './auth.dto';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { problem } from './problem';


/**
 * Users of the request's workspace (X-Workspace-Id, else the caller's first): owners and admins
 * invite, reset and disable them. Only an owner may act on an owner or make one.
 */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
    private readonly workspaces: WorkspaceQueries,
  ) {}

  @Get()
  @Access({ workspace: 'viewer' })
  list(@Req() req: Request) {
    return this.workspaces.members(requestAccess(req).workspaceId);
  }

  /** Invites by e-mail: a new user gets a temporary password, shown once; a known one is just added. */
  @Post()
  @Access({ workspace: 'admin' })
  async invite(@Body() body: InviteUserRequest, @Req() req: Request) {
    const { workspaceId, role: callerRole } = requestAccess(req);
    const role: WorkspaceRole = body.role ?? 'editor';
    if (role === 'owner' && callerRole !== 'owner') throw forbidden('Only an owner can make another owner');
    const known = await this.accounts.findUserIdByEmail(body.email);
    let temporary: string | undefined;
    let userId = known;
    if (!userId) {
      temporary = temporaryPassword();
      userId = await this.accounts.register(
        { email: body.email, displayName: body.displayName, password: temporary, invitedBy: currentUser(req).id, mustChangePassword: true },
        commandMetadata(req),
      );
    }
    await this.commands.sendAndProject('workspace', { type: 'AddMember', data: { workspaceId, userId, role }, metadata: commandMetadata(req) }, MEMBERSHIP_PROJECTIONS);
    return { id: userId, email: body.email.trim().toLowerCase(), role, ...(temporary ? { temporaryPassword: temporary } : {}) };
  }

  @Post(':userId/reset-password')
  @HttpCode(200)
  @Access({ workspace: 'admin' })
  async resetPassword(@Param('userId') userId: string, @Req() req: Request) {
    await this.requireManageable(req, userId);
    const temporary = temporaryPassword();
    await this.commands.sendAndProject(
      'user',
      { type: 'ChangePassword', data: { userId, passwordHash: await hashPassword(temporary), reset: true }, metadata: commandMetadata(req) },
      ACCOUNT_PROJECTIONS,
    );
    return { id: userId, temporaryPassword: temporary };
  }

  @Post(':userId/disable')
  @HttpCode(200)
  @Access({ workspace: 'admin' })
  async disable(@Param('userId') userId: string, @Req() req: Request) {
    await this.requireManageable(req, userId);
    if (userId === currentUser(req).id) throw forbidden('You cannot disable yourself');
    await this.commands.sendAndProject('user', { type: 'DisableUser', data: { userId }, metadata: commandMetadata(req) }, ACCOUNT_PROJECTIONS);
    return { id: userId, disabled: true };
  }

  @Post(':userId/enable')
  @HttpCode(200)
  @Access({ workspace: 'admin' })
  async enable(@Param('userId') userId: string, @Req() req: Request) {
    await this.requireManageable(req, userId);
    await this.commands.sendAndProject('user', { type: 'EnableUser', data: { userId }, metadata: commandMetadata(req) }, ACCOUNT_PROJECTIONS);
    return { id: userId, disabled: false };
  }

  /**
   * Password resets and disabling act on the whole account, not on one workspace: the caller
   * must be admin (owner, for a workspace the target owns) in EVERY workspace the target belongs
   * to. Otherwise anyone could start a workspace, add a victim and take their account.
   */
  private async requireManageable(req: Request, userId: string): Promise<void> {
    const { workspaceId } = requestAccess(req);
    const callerId = currentUser(req).id;
    const memberships = isUuid(userId) ? await this.access.membershipsOf(userId) : [];
    if (!memberships.some((m) => m.workspaceId === workspaceId)) {
      throw new HttpException(problem(404, 'user-not-found', 'User not found', 'No such member in this workspace'), 404);
    }
    for (const membership of memberships) {
      const callerRole = await this.access.roleIn(callerId, membership.workspaceId);
      const needed: WorkspaceRole = membership.role === 'owner' ? 'owner' : 'admin';
      if (!callerRole || roleRank(callerRole) < roleRank(needed)) {
        throw forbidden('That account also belongs to workspaces you do not administer; ask their admins');
      }
    }
  }
}

function forbidden(detail: string): HttpException {
  return new HttpException(problem(403, 'forbidden', 'Forbidden', detail), 403);
}
