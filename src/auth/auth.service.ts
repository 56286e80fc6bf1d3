import { HttpException, Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { sql } from 'kysely';
import type { WorkspaceRole } from '@contracts';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { problem } from '../api/problem';
import { AccessService } from './access.service';
import { JwtKeys } from './jwt-keys';
import { DUMMY_HASH, verifyPassword } from './passwords';
import type { AuthenticatedUser, JwtClaims } from './auth.types';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: AuthenticatedUser;
  mustChangePassword: boolean;
}

export interface Me extends AuthenticatedUser {
  mustChangePassword: boolean;
  workspaces: { id: string; name: string; role: WorkspaceRole }[];
}

const wrongCredentials = () =>
  new HttpException(problem(401, 'invalid-credentials', 'Invalid credentials', 'Wrong e-mail or password'), 401);

/** Login, refresh and "who am I". Access tokens are short-lived; refresh tokens are JWTs of type refresh. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly access: AccessService,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const account = await this.infra.database.db
      .selectFrom('user_account')
      .select(['user_id', 'email', 'display_name', 'password_hash', 'disabled', 'must_change_password'])
      .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
      .executeTakeFirst();
    // Always run scrypt, so an unknown e-mail answers as slowly as a wrong password.
    const ok = await verifyPassword(password, account?.password_hash ?? DUMMY_HASH);
    if (!account || !ok || account.disabled) throw wrongCredentials();
    return this.issue({ id: account.user_id, email: account.email, displayName: account.display_name }, account.must_change_password);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(refreshToken, { secret: this.keys.signingKey, algorithms: ['HS256'] });
    } catch {
      throw new HttpException(problem(401, 'invalid-refresh-token', 'Invalid refresh token', 'Sign in again'), 401);
    }
    const user = claims.typ === 'refresh' ? await this.access.activeUser(claims.sub, claims.iatMs ?? (claims.iat ?? 0) * 1000) : undefined;
    if (!user) throw new HttpException(problem(401, 'invalid-refresh-token', 'Invalid refresh token', 'Sign in again'), 401);
    return this.issue(user, await this.mustChangePassword(user.id));
  }

  async me(user: AuthenticatedUser): Promise<Me> {
    const workspaces = await this.infra.database.db
      .selectFrom('workspace_member')
      .innerJoin('workspace', 'workspace.workspace_id', 'workspace_member.workspace_id')
      .select(['workspace.workspace_id as id', 'workspace.name as name', 'workspace_member.role as role'])
      .where('workspace_member.user_id', '=', user.id)
      .orderBy('workspace_member.added_at')
      .execute();
    return { ...user, mustChangePassword: await this.mustChangePassword(user.id), workspaces };
  }

  async passwordHashOf(userId: string): Promise<string | undefined> {
    const row = await this.infra.database.db.selectFrom('user_account').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
    return row?.password_hash;
  }

  private async mustChangePassword(userId: string): Promise<boolean> {
    const row = await this.infra.database.db.selectFrom('user_account').select('must_change_password').where('user_id', '=', userId).executeTakeFirst();
    return row?.must_change_password ?? false;
  }

  /** A fresh pair for a user who just proved who they are (e.g. right after changing their password). */
  async issueFor(user: AuthenticatedUser): Promise<TokenPair> {
    return this.issue(user, await this.mustChangePassword(user.id));
  }

  private async issue(user: AuthenticatedUser, mustChangePassword: boolean): Promise<TokenPair> {
    const base = { sub: user.id, email: user.email, iatMs: Date.now() };
    const accessToken = await this.jwt.signAsync({ ...base, typ: 'access' }, { secret: this.keys.signingKey, expiresIn: this.keys.accessTtlSeconds });
    const refreshToken = await this.jwt.signAsync({ ...base, typ: 'refresh' }, { secret: this.keys.signingKey, expiresIn: this.keys.refreshTtlSeconds });
    return { accessToken, refreshToken, expiresIn: this.keys.accessTtlSeconds, user, mustChangePassword };
  }
}
