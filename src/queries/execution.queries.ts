import { Inject, Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { LogPosition, Page } from '@contracts';
import { StreamCategory, executionStream } from '@contracts';
import type { ExecutionStepTable, ExecutionTable } from '../../projections/execution/execution.table';
import { evolveExecution, initialExecutionState, type ExecutionDecidedEvent } from '../domain/execution/execution.decider';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { decodeCursor, encodeCursor } from './workflow.queries';
import { waitForProjection } from './wait-for-projection';

export interface ExecutionSummaryDto {
  id: string;
  workflowId: string;
  workspaceId: string;
  version: number;
  status: string;
  trigger: { kind: string; userId: string | null; triggerId: string | null; bulkId: string | null };
  parentExecutionId: string | null;
  forkedFromExecutionId: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  stepsTotal: number;
  stepsDone: number;
  error: unknown;
}

export interface StepAttemptDto {
  stepId: string;
  attempt: number;
  /** Inside loops: the item index of each enclosing loop ("2", "0.3"); null outside. */
  iteration: string | null;
  actionType: string;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  workerId: string | null;
}

export interface ExecutionDetailDto extends ExecutionSummaryDto {
  input: unknown;
  output: unknown;
  steps: StepAttemptDto[];
}

export interface TimelineEntryDto {
  /** 1-based place of the event in the execution's stream (`?at=` takes it). */
  number: number;
  type: string;
  data: unknown;
  occurredAt: string;
  actor: { kind: string; id: string; name?: string };
}

export interface ExecutionListFilter {
  workspaceId: string;
  workflowId?: string;
  status?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
  minPosition?: LogPosition;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toSummary(row: Selectable<ExecutionTable>): ExecutionSummaryDto {
  return {
    id: row.execution_id,
    workflowId: row.workflow_id,
    workspaceId: row.workspace_id,
    version: row.version,
    status: row.status,
    trigger: { kind: row.trigger_kind, userId: row.started_by, triggerId: row.trigger_id, bulkId: row.bulk_id },
    parentExecutionId: row.parent_execution_id,
    forkedFromExecutionId: row.forked_from_execution_id,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    stepsTotal: row.steps_total,
    stepsDone: row.steps_done,
    error: row.error,
  };
}

function toAttempt(row: Selectable<ExecutionStepTable>): StepAttemptDto {
  return {
    stepId: row.step_id,
    attempt: row.attempt,
    iteration: row.iteration,
    actionType: row.action_type,
    status: row.status,
    input: row.input,
    output: row.output,
    error: row.error,
    scheduledAt: iso(row.scheduled_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    workerId: row.worker_id,
  };
}

/** Executions (G2): lists and details from the read models, the timeline and replay from the event store. */
@Injectable()
export class ExecutionQueries {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  private get db() {
    return this.infra.database.db;
  }

  async list(filter: ExecutionListFilter): Promise<Page<ExecutionSummaryDto>> {
    if (filter.minPosition) await waitForProjection(this.db, 'execution', StreamCategory.execution, filter.minPosition);
    const cursor = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const rows = await this.db
      .selectFrom('execution')
      .selectAll()
      .where('workspace_id', '=', filter.workspaceId)
      .$if(filter.workflowId !== undefined, (q) => q.where('workflow_id', '=', filter.workflowId!))
      .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
      .$if(filter.since !== undefined, (q) => q.where('started_at', '>=', filter.since! as never))
      .$if(filter.until !== undefined, (q) => q.where('started_at', '<', filter.until! as never))
      .$if(cursor !== undefined, (q) =>
        q.where((eb) =>
          eb.or([
            eb('started_at', '<', cursor!.createdAt as never),
            eb.and([eb('started_at', '=', cursor!.createdAt as never), eb('execution_id', '<', cursor!.id)]),
          ]),
        ),
      )
      .orderBy('started_at', 'desc')
      .orderBy('execution_id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toSummary);
    const last = items.at(-1);
    return rows.length > filter.limit && last ? { items, nextCursor: encodeCursor({ createdAt: last.startedAt, id: last.id }) } : { items };
  }

  /** The run and every step attempt; waits briefly for a run the store has and the read model not yet. */
  async detail(executionId: string, minPosition?: LogPosition): Promise<ExecutionDetailDto | undefined> {
    if (minPosition) await waitForProjection(this.db, 'execution', StreamCategory.execution, minPosition);
    let row = await this.db.selectFrom('execution').selectAll().where('execution_id', '=', executionId).executeTakeFirst();
    for (let tries = 0; !row && tries < 30; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      row = await this.db.selectFrom('execution').selectAll().where('execution_id', '=', executionId).executeTakeFirst();
    }
    if (!row) return undefined;
    const steps = await this.db
      .selectFrom('execution_step')
      .selectAll()
      .where('execution_id', '=', executionId)
      .orderBy('scheduled_at', 'asc')
      .orderBy('step_id')
      .orderBy('attempt')
      .execute();
    return { ...toSummary(row), input: row.input, output: row.output, steps: steps.map(toAttempt) };
  }

  /** Every event of the run, in order, numbered from 1. */
  async timeline(executionId: string): Promise<TimelineEntryDto[]> {
    const events = await this.infra.store.readStream(executionStream(executionId));
    return events.map((e) => ({ number: Number(e.revision) + 1, type: e.type, data: e.data, occurredAt: e.metadata.occurredAt, actor: e.metadata.actor }));
  }

  /**
   * Replay (G2): the run as it stood after its first `at` events, folded by the same `evolve` the
   * engine decides with, so what you scrub through is what the engine saw.
   */
  async stateAt(executionId: string, at: number) {
    const events = await this.infra.store.readStream(executionStream(executionId), { limit: at });
    const state = events.reduce((s, e) => evolveExecution(s, e as unknown as ExecutionDecidedEvent), initialExecutionState());
    const last = events.at(-1);
    return {
      at: events.length,
      occurredAt: last?.metadata.occurredAt ?? null,
      lastEvent: last ? { number: Number(last.revision) + 1, type: last.type } : null,
      status: state.status,
      version: state.version,
      input: state.input,
      steps: Object.fromEntries(
        Object.entries(state.steps).map(([id, run]) => [
          id,
          { status: run.status, attempt: run.attempt, output: run.output ?? null, error: run.error ?? null, ...(run.wait ? { waitingFor: run.wait.kind } : {}) },
        ]),
      ),
    };
  }

  /** The approval requests of the workspace, newest first; `mine`: those the user may answer now. */
  async approvals(workspaceId: string, options: { userId?: string; role?: string; roleRank?: (r: string) => number; status?: string; limit: number }) {
    const rows = await this.db
      .selectFrom('approval')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(options.status !== undefined, (q) => q.where('status', '=', options.status!))
      .orderBy('requested_at', 'desc')
      .limit(500)
      .execute();
    const mine = (row: (typeof rows)[number]) =>
      row.approver_user_ids.includes(options.userId!) ||
      (row.approver_role !== null && options.role !== undefined && options.roleRank!(options.role) >= options.roleRank!(row.approver_role));
    return rows
      .filter((row) => options.userId === undefined || mine(row))
      .slice(0, options.limit)
      .map((row) => ({
        id: row.approval_id,
        executionId: row.execution_id,
        stepId: row.step_id,
        workflowId: row.workflow_id,
        title: row.title,
        message: row.message,
        approvers: { userIds: row.approver_user_ids, role: row.approver_role },
        mode: row.mode,
        requireComment: row.require_comment,
        status: row.status,
        escalated: row.escalated,
        grantedBy: row.granted_by,
        decidedBy: row.decided_by,
        comment: row.comment,
        requestedAt: iso(row.requested_at),
        decidedAt: iso(row.decided_at),
        timeoutAt: iso(row.timeout_at),
      }));
  }

  async approval(approvalId: string) {
    return this.db.selectFrom('approval').selectAll().where('approval_id', '=', approvalId).executeTakeFirst();
  }
}
