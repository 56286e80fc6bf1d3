import { ExecutionContext, ForbiddenException, HttpException, Injectable, Logger, NotFoundException, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import type { WorkflowPermission } from '@contracts';
import { isUuid, isWorkspaceOrdinal, permissionRank, roleRank } from '@contracts';
import { problem } from '../api/problem';
import { ACCESS_RULE, type AccessRule } from './access.decorator';
import { AccessService } from './access.service';
import type { AuthenticatedUser, JwtClaims, RequestAccess } from './auth.types';
import { JwtKeys } from './jwt-keys';
import { IS_PUBLIC } from './public.decorator';

/** A verified token whose account is checked later, in the workflow access query (see JwtAuthGuard). */
interface TokenSubject {
  userId: string;
  issuedAtMs: number;
}

type AuthedRequest = Request & { user?: AuthenticatedUser; access?: RequestAccess; tokenSubject?: TokenSubject };

const unauthorized = () => new HttpException(problem(401, 'unauthorized', 'Unauthorized', 'Sign in: a valid bearer access token is required'), 401);

function accessRuleOf(reflector: Reflector, context: ExecutionContext): AccessRule | undefined {
  return reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
}

/** Rules on a workflow named in the path: AccessGuard reads the workflow and the caller's account in one query. */
function checksAccountWithWorkflow(rule: AccessRule | undefined): boolean {
  return rule !== undefined && 'workflow' in rule && !rule.inBody;
}


function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  return !!reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
}

/**
 * 1. Authentication: a valid bearer access token (HS256, not expired, of type access, of a user
 * who exists and is not disabled) on every route but the @Public() ones. On routes of a workflow
 * named in the path the account is read by AccessGuard, with the workflow; it answers 401 the same.
 * Verified here with the app's own JwtService rather than a passport strategy, whose registry is
 * global to the process.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  /** Access tokens whose signature was checked, with their claims (see claimsOf). */
  private readonly verified = new Map<string, JwtClaims>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublic(this.reflector, context)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(headerValue(req, 'authorization') ?? '');
    const claims = match ? await this.claimsOf(match[1]) : undefined;
    if (claims?.typ !== 'access' || typeof claims.sub !== 'string') throw unauthorized();
    const subject = { userId: claims.sub, issuedAtMs: claims.iatMs ?? (claims.iat ?? 0) * 1000 };
    if (checksAccountWithWorkflow(accessRuleOf(this.reflector, context))) {
      // The account (exists, not disabled, token newer than the last password change) is checked
      // by AccessGuard in the same query as the workflow: one round trip less on the busiest routes.
      req.tokenSubject = subject;
      return true;
    }
    const user = await this.access.activeUser(subject.userId, subject.issuedAtMs);
    if (!user) throw unauthorized();
    req.user = user;
    return true;
  }

  /**
   * The token's claims if its signature is ours and it has not expired. A client sends the same
   * token with each request, and checking its signature every time was about 2% of a busy API
   * process: a token verified once is known until it expires (the key never changes while the
   * process runs; the account itself is still checked on every request).
   */
  private async claimsOf(token: string): Promise<JwtClaims | undefined> {
    const known = this.verified.get(token);
    if (known && unexpired(known)) return known;
    const claims = await this.jwt.verifyAsync<JwtClaims>(token, { secret: this.keys.signingKey, algorithms: ['HS256'] }).catch(() => undefined);
    if (claims && unexpired(claims) && !('nbf' in claims)) {
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, claims);
    }
    return claims;
  }
}

/** Verified tokens kept in memory, at most (see JwtAuthGuard.claimsOf). */
const MAX_VERIFIED_TOKENS = 1000;

/** jsonwebtoken's own test: a token is expired from the second its `exp` names. Tokens without one are not kept. */
const unexpired = (claims: JwtClaims): boolean => claims.exp !== undefined && Math.floor(Date.now() / 1000) < claims.exp;

/** 2. Rate limits, per signed-in user (else per address); login is keyed by address and e-mail. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthedRequest;
    if (request.path === '/api/auth/login') {
      // Normalised exactly as login does, so " Victim@x" shares the victim's budget.
      const email = typeof request.body?.email === 'string' ? request.body.email.trim().toLowerCase().slice(0, 254) : '';
      return `${request.ip}|${email}`;
    }
    return request.user?.id ?? request.tokenSubject?.userId ?? request.ip ?? 'unknown';
  }

  /** The package hashes the key with SHA-256 on every request; our storage is a Map in this process, where the plain key serves. */
  protected generateKey(context: ExecutionContext, suffix: string, name: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${name}-${suffix}`;
  }

  protected async throwThrottlingException(): Promise<void> {
    throw new HttpException(problem(429, 'too-many-requests', 'Too many requests', 'Slow down and retry in a minute'), 429);
  }
}

/** 3. Authorization: the route's @Access rule, against roles and shares, in one place. */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublic(this.reflector, context)) return true;
    const rule = accessRuleOf(this.reflector, context);
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const subject = req.tokenSubject;
    if (!req.user && !(subject && checksAccountWithWorkflow(rule))) {
      // Not a rule whose query checks the account: check it now (fail closed).
      req.user = subject ? await this.access.activeUser(subject.userId, subject.issuedAtMs) : undefined;
      if (!req.user) throw unauthorized();
    }
    if (!rule) {
      // Fail closed: a route someone forgot to annotate is refused, loudly.
      this.logger.error(`route ${req.method} ${req.route?.path ?? req.path} has no @Access rule`);
      throw new ForbiddenException();
    }
    if ('signedIn' in rule) return true;
    const user = { id: req.user?.id ?? subject!.userId };
    if ('workspace' in rule) {
      const fromBody = rule.workspaceInBody ? (req.body?.workspaceId ?? req.body?.workspace_id) : undefined;
      if (fromBody !== undefined && !(isUuid(fromBody) || isWorkspaceOrdinal(fromBody))) {
        throw new HttpException(problem(400, 'invalid-workspace', 'Invalid workspace', 'workspaceId is a workspace UUID or a positive integer'), 400);
      }
      const requested = rule.workspaceParam ? paramValue(req, rule.workspaceParam) : (fromBody ?? headerValue(req, 'x-workspace-id'));
      const workspaceId =
        requested === undefined ? await this.access.defaultWorkspace(user.id) : await this.access.resolveWorkspace(user.id, requested);
      const role = workspaceId && isUuid(workspaceId) ? await this.access.roleIn(user.id, workspaceId) : undefined;
      if (!workspaceId || !role) throw notFound('workspace-not-found', 'Workspace not found', 'You are not a member of that workspace');
      if (roleRank(role) < roleRank(rule.workspace)) throw forbidden(`This needs the ${rule.workspace} role or higher; you are ${role}`);
      req.access = { workspaceId, role };
      return true;
    }
    let id: string | undefined;
    let needed: WorkflowPermission;
    if ('execution' in rule) {
      const executionId = paramValue(req, rule.param ?? 'executionId');
      id = executionId && isUuid(executionId) ? await this.access.workflowOfExecution(executionId) : undefined;
      // An execution you may not see looks exactly like one that does not exist.
      if (!id) throw notFound('execution-not-found', 'Execution not found', `No execution ${executionId}`);
      needed = rule.execution;
    } else {
      id = rule.inBody ? (typeof req.body?.workflowId === 'string' ? req.body.workflowId : undefined) : paramValue(req, rule.param ?? 'id');
      needed = rule.workflow;
    }
    const account = req.user ? undefined : subject;
    const { workflow, role, permission, user: checked } = id && isUuid(id) ? await this.access.workflowAccess(user.id, id, account) : {};
    if (account) {
      // No row (no such workflow) tells nothing of the account: then it is read on its own.
      req.user = checked ?? (workflow ? undefined : await this.access.activeUser(account.userId, account.issuedAtMs));
      if (!req.user) throw unauthorized();
    }
    // No access at all looks exactly like a workflow that does not exist.
    if (!workflow || !permission) {
      if ('execution' in rule) throw notFound('execution-not-found', 'Execution not found', `No execution ${paramValue(req, rule.param ?? 'executionId')}`);
      throw notFound('workflow-not-found', 'Workflow not found', `No workflow ${id}`);
    }
    if (permissionRank(permission) < permissionRank(needed)) {
      throw forbidden(`This needs ${needed} permission on the workflow; you have ${permission}`);
    }
    req.access = { workspaceId: workflow.workspaceId, role, workflow, permission };
    return true;
  }
}

function paramValue(req: Request, name: string): string | undefined {
  const value = req.params[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

function notFound(code: string, title: string, detail: string): HttpException {
  return new NotFoundException(problem(404, code, title, detail));
}

function forbidden(detail: string): HttpException {
  return new ForbiddenException(problem(403, 'forbidden', 'Forbidden', detail));
}
