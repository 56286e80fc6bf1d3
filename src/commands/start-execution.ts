import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ExecutionTrigger, LogPosition, MessageMetadata, StartExecution } from '@contracts';
import { DomainError } from '../domain/decider';
import { checkRunInput } from '../domain/execution/run-input';
import { findPublishedVersion, type PublishedVersion } from '../queries/published-version';
import { Commands } from './dispatch';

export interface StartRequest {
  workflowId: string;
  version?: number;
  input: Record<string, unknown>;
  trigger: ExecutionTrigger;
  timeoutMs?: number;
  forkedFrom?: { executionId: string; stepId: string };
  reusedOutputs?: Record<string, unknown>;
  /** A stable id makes the start idempotent (a trigger's tick, a webhook delivery); default: a new one. */
  executionId?: string;
  /** The version to run, when the caller has just read it (webhook ingress caches it for a second): saves a read. */
  published?: PublishedVersion;
  /**
   * What the caller has just read of the workflow (the access check's summary row): its latest
   * published version and status. The version's definition then comes from memory when this
   * process has run it before (a published version never changes): saves a read.
   */
  summary?: { version: number; status: string };
  /**
   * Leave the run's first pure steps (transform, condition) to the engine instead of deciding
   * them in this append (the default: see PureStepsService). For callers that must answer at
   * once whatever the workflow computes: webhook ingress, where a burst of deliveries should
   * cost a verify and an append each, not the workflow's expressions.
   */
  deferPureSteps?: boolean;
}

/** Published versions kept in memory (they never change), at most. */
const MAX_KNOWN_VERSIONS = 500;

export interface StartedExecution {
  executionId: string;
  version: number;
  position?: LogPosition;
}

/**
 * Starts a run of a published version (SPEC B1, C1): the one place the API, bulk runs, forks and
 * the triggers go through. The input is checked against the version's variables first, so input
 * that breaks them is a 422 and nothing is recorded.
 */
@Injectable()
export class ExecutionStarter {
  private readonly knownVersions = new Map<string, PublishedVersion>();

  constructor(private readonly commands: Commands) {}

  async start(request: StartRequest, metadata: MessageMetadata & { commandId: string }, db: Parameters<typeof findPublishedVersion>[0]): Promise<StartedExecution> {
    const published = request.published?.workflowId === request.workflowId ? request.published : await this.publishedVersion(request, db);
    if (!published) {
      throw new DomainError(
        'rule_violated',
        'no-published-version',
        request.version ? `Workflow ${request.workflowId} has no published version ${request.version}` : `Workflow ${request.workflowId} has no published version to run; publish it first`,
      );
    }
    const issues = checkRunInput(published.definition.variables, request.input);
    if (issues.length > 0) throw new DomainError('rule_violated', 'invalid-input', issues.map((i) => i.message).join('; '), issues);
    const executionId = request.executionId ?? randomUUID();
    const command: StartExecution = {
      type: 'StartExecution',
      data: {
        executionId,
        workflowId: request.workflowId,
        version: published.version,
        definition: published.definition,
        input: request.input,
        trigger: request.trigger,
        ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
        ...(request.forkedFrom ? { forkedFrom: request.forkedFrom } : {}),
        ...(request.reusedOutputs ? { reusedOutputs: request.reusedOutputs } : {}),
      },
      metadata: { ...metadata, workspaceId: published.workspaceId },
    };
    // A run's stream is new: one append, no read first (an existing id falls back to the usual path).
    const result = await this.commands.send('execution', command, { newStream: true, ...(request.deferPureSteps ? { followUps: false as const } : {}) });
    return { executionId, version: published.version, position: result.position };
  }

  /**
   * The version to run: the one asked for, else the latest the caller's summary names, from memory
   * when known; else read (and the latest read when the summary is ahead of the versions table).
   */
  private async publishedVersion(request: StartRequest, db: Parameters<typeof findPublishedVersion>[0]): Promise<PublishedVersion | undefined> {
    const { summary } = request;
    if (summary?.status === 'archived') return undefined;
    const version = request.version ?? (summary && summary.version > 0 ? summary.version : undefined);
    if (summary && version !== undefined) {
      const key = `${request.workflowId}@${version}`;
      const known = this.knownVersions.get(key) ?? (await findPublishedVersion(db, request.workflowId, version));
      if (known) {
        if (this.knownVersions.size >= MAX_KNOWN_VERSIONS) this.knownVersions.clear();
        this.knownVersions.set(key, known);
        return known;
      }
      if (request.version !== undefined) return undefined; // asked for, and not there: the same read again would not find it
    }
    return findPublishedVersion(db, request.workflowId, request.version);
  }
}
