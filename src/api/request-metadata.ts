import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { MessageMetadata } from '@contracts';
import type { AuthenticatedUser, RequestAccess } from '../auth/auth.types';

const CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function correlationIdOf(req: Request): string {
  const header = req.headers['x-correlation-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && CORRELATION_ID.test(value) ? value : ((req as { id?: unknown }).id as string | undefined) ?? randomUUID();
}

/**
 * Metadata of a command sent on behalf of an HTTP request: the signed-in actor, the workspace the
 * access guard settled on (or the one given), a fresh command id and the time, fixed here.
 */
export function commandMetadata(req: Request, workspaceId?: string): MessageMetadata & { commandId: string } {
  const { user, access } = req as Request & { user?: AuthenticatedUser; access?: RequestAccess };
  const commandId = randomUUID();
  return {
    commandId,
    correlationId: correlationIdOf(req),
    causationId: commandId,
    actor: user ? { kind: 'user', id: user.id, name: user.displayName } : { kind: 'anonymous', id: 'anonymous' },
    workspaceId: workspaceId ?? access?.workspaceId ?? '',
    occurredAt: new Date().toISOString(),
  };
}

/** Metadata of a command the system sends on its own (first start, engine, scheduler). */
export function systemMetadata(commandId: string, workspaceId = ''): MessageMetadata & { commandId: string } {
  return {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: { kind: 'system', id: 'system' },
    workspaceId,
    occurredAt: new Date().toISOString(),
  };
}

export function currentUser(req: Request): AuthenticatedUser {
  return (req as Request & { user: AuthenticatedUser }).user;
}

export function requestAccess(req: Request): RequestAccess {
  return (req as Request & { access: RequestAccess }).access;
}
