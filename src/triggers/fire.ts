import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ExecutionTrigger } from '@contracts';
import type { Database } from '../adapters/database/tables';
import type { ExecutionStarter } from '../commands/start-execution';
import type { PublishedVersion } from '../queries/published-version';
import { DomainError } from '../domain/decider';

export type FireResult =
  | { outcome: 'started'; executionId: string }
  /** The store already holds a run with this id: this tick, delivery or event fired before (here or elsewhere). */
  | { outcome: 'already'; executionId: string }
  /** The run was refused for a reason retrying will not fix (no published version, input breaks the variables). */
  | { outcome: 'refused'; executionId: string; error: DomainError };

export interface FireRequest {
  workflowId: string;
  kind: Extract<ExecutionTrigger['kind'], 'cron' | 'webhook' | 'event'>;
  triggerId: string;
  input: Record<string, unknown>;
  /** Deterministic (tick, delivery or event): the execution stream's first append makes each fire happen once. */
  executionId: string;
  correlationId?: string;
  /** Passed through to ExecutionStarter (see StartRequest.published). */
  published?: PublishedVersion;
  /** Passed through to ExecutionStarter (see StartRequest.deferPureSteps). */
  deferPureSteps?: boolean;
}

/**
 * Starts one run for a trigger through the one start path (ExecutionStarter). The command id is fresh on purpose: with
 * a deterministic one, handleCommand would answer a second fire as a retry of the first ("started" again); with a
 * fresh one the execution decider refuses it ('execution-exists'), so we can tell a replay from a first fire. Two
 * replicas racing both append with expected revision no_stream: the store lets one through and the other re-reads
 * and is refused. Infrastructure errors propagate: the caller retries.
 */
export async function fireTrigger(starter: ExecutionStarter, db: Kysely<Database>, request: FireRequest): Promise<FireResult> {
  const { executionId } = request;
  const commandId = randomUUID();
  try {
    await starter.start(
      {
        workflowId: request.workflowId,
        input: request.input,
        trigger: { kind: request.kind, triggerId: request.triggerId },
        executionId,
        ...(request.published ? { published: request.published } : {}),
        ...(request.deferPureSteps ? { deferPureSteps: true } : {}),
      },
      {
        commandId,
        correlationId: request.correlationId ?? executionId,
        causationId: commandId,
        actor: { kind: 'system', id: `trigger:${request.kind}`, name: request.triggerId },
        workspaceId: '',
        occurredAt: new Date().toISOString(),
      },
      db,
    );
    return { outcome: 'started', executionId };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'execution-exists') return { outcome: 'already', executionId };
    if (error instanceof DomainError) return { outcome: 'refused', executionId, error };
    throw error;
  }
}
