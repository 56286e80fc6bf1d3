import { Body, Controller, Get, HttpCode, HttpException, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Request } from 'express';
import { AuthService } from '../auth/auth.service';
import { Public } from '../auth/public.decorator';
import { Access } from '../auth/access.decorator';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { ACCOUNT_PROJECTIONS } from '../auth/accounts.service';
import { Commands } from '../commands/dispatch';
import { loginThrottle } from '../auth/rate-limits';
import { ChangePasswordRequest, LoginRequest, RefreshRequest } from './auth.dto';
import { commandMetadata, currentUser } from './request-metadata';
import { problem } from './problem';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly commands: Commands,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @Throttle(loginThrottle)
  login(@Body() body: LoginRequest) {
    return this.auth.login(body.email, body.password);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  refresh(@Body() body: RefreshRequest) {
    return this.auth.refresh(body.refreshToken);
  }

  @Get('me')
  @ApiBearerAuth()
  @Access({ signedIn: true })
  me(@Req() req: Request) {
    return this.auth.me(currentUser(req));
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth()
  @Access({ signedIn: true })
  async changePassword(@Body() body: ChangePasswordRequest, @Req() req: Request) {
    const user = currentUser(req);
    const stored = await this.auth.passwordHashOf(user.id);
    if (!stored || !(await verifyPassword(body.currentPassword, stored))) {
      throw new HttpException(problem(403, 'wrong-password', 'Wrong password', 'The current password is not right'), 403);
    }
    await this.commands.sendAndProject(
      'user',
      { type: 'ChangePassword', data: { userId: user.id, passwordHash: await hashPassword(body.newPassword), reset: false }, metadata: commandMetadata(req) },
      ACCOUNT_PROJECTIONS,
    );
    // The change ends every session issued before it, this one included: hand back a new pair.
    return { changed: true, ...(await this.auth.issueFor(user)) };
  }
}
