import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { MessageMetadata } from '@contracts';

/** Until accounts land (issue 3), every caller acts in the default workspace as `anonymous`. */
export const DEFAULT_WORKSPACE_ID = 'default';

const CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function correlationIdOf(req: Request): string {
  const header = req.headers['x-correlation-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && CORRELATION_ID.test(value) ? value : ((req as { id?: unknown }).id as string | undefined) ?? randomUUID();
}

/** Metadata of a command sent on behalf of an HTTP request: ids and time are fixed here. */
export function commandMetadata(req: Request): MessageMetadata & { commandId: string } {
  const commandId = randomUUID();
  return {
    commandId,
    correlationId: correlationIdOf(req),
    causationId: commandId,
    actor: { kind: 'anonymous', id: 'anonymous' },
    workspaceId: DEFAULT_WORKSPACE_ID,
    occurredAt: new Date().toISOString(),
  };
}
