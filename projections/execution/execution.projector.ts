import type { Insertable, Selectable, Transaction } from 'kysely';
import type { AttemptRef, ExecutionEvent, RecordedEvent, StartedWithOutcome, StepScheduling } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { ExecutionStepTable, ExecutionTable } from './execution.table';

type RunRow = Insertable<ExecutionTable>;
type StepRow = Insertable<ExecutionStepTable>;

const json = (value: unknown): string => JSON.stringify(value ?? null);
const ms = (from: string | null | undefined, to: string): number | null => (from ? Math.max(0, Date.parse(to) - Date.parse(from)) : null);
/** The start an outcome event carries (no StepStarted was recorded for it), as the row's columns; nothing when the row has its start. */
const startedFrom = (row: StepRow, data: StartedWithOutcome): Pick<StepRow, 'started_at' | 'worker_id'> =>
  data.startedAt && !row.started_at ? { started_at: data.startedAt, worker_id: data.workerId ?? null } : {};
/** The row of an attempt just scheduled. */
const scheduledRow = (ref: AttemptRef, d: StepScheduling): StepRow => ({
  execution_id: ref.executionId,
  step_id: ref.stepId,
  attempt: ref.attempt,
  scheduled_id: ref.scheduledId,
  iteration: d.iteration ?? null,
  action_type: d.actionType ?? '',
  status: 'scheduled',
  input: json(d.input),
  output: null,
  error: null,
  scheduled_at: d.scheduledAt,
  started_at: null,
  finished_at: null,
  duration_ms: null,
  worker_id: null,
});
/** A step row is one scheduling (a loop runs a step once per item with the same attempt number). */
const stepKey = (executionId: string, scheduledId: string) => `${executionId}/${scheduledId}`;

/**
 * Folds one execution event into the run's row and its step-attempt rows (maps keyed by id), as a
 * function of the event alone. `steps_done` counts steps that succeeded or were skipped.
 */
export function evolveExecutionRows(runs: Map<string, RunRow>, steps: Map<string, StepRow>, recorded: RecordedEvent): void {
  const event = recorded as RecordedEvent & ExecutionEvent;
  const runId = event.data.executionId;
  const run = runs.get(runId);
  const revision = recorded.revision.toString();
  const updateRun = (change: Partial<RunRow>) => {
    if (run) runs.set(runId, { ...run, ...change, revision });
  };
  const updateStep = (scheduledId: string, change: Partial<StepRow>) => {
    const key = stepKey(runId, scheduledId);
    const row = steps.get(key);
    if (row) steps.set(key, { ...row, ...change });
  };
  switch (event.type) {
    case 'ExecutionStarted': {
      const d = event.data;
      runs.set(runId, {
        execution_id: runId,
        workflow_id: d.workflowId,
        workspace_id: d.workspaceId,
        version: d.version,
        status: 'running',
        trigger_kind: d.trigger?.kind ?? 'manual',
        started_by: d.trigger?.userId ?? (recorded.metadata.actor.kind === 'user' ? recorded.metadata.actor.id : null),
        trigger_id: d.trigger?.triggerId ?? null,
        bulk_id: d.trigger?.bulkId ?? null,
        parent_execution_id: d.parent?.executionId ?? null,
        forked_from_execution_id: d.forkedFrom?.executionId ?? null,
        input: json(d.input),
        output: null,
        error: null,
        started_at: d.startedAt,
        finished_at: null,
        duration_ms: null,
        steps_total: d.definition.steps.length,
        steps_done: 0,
        revision,
      });
      return;
    }
    case 'StepScheduled':
      steps.set(stepKey(runId, event.data.scheduledId), scheduledRow(event.data, event.data));
      updateRun({});
      return;
    case 'StepStarted':
      updateStep(event.data.scheduledId, { status: 'running', started_at: event.data.startedAt, worker_id: event.data.workerId ?? null });
      updateRun({});
      return;
    case 'StepSucceeded': {
      const d = event.data;
      const key = stepKey(runId, d.scheduledId);
      // Scheduled in the same write, the scheduling rides on this event (compactExecution).
      const row = d.scheduled ? scheduledRow(d, d.scheduled) : steps.get(key);
      if (d.reused || !row) {
        steps.set(key, {
          execution_id: runId, step_id: d.stepId, attempt: d.attempt, scheduled_id: d.scheduledId, iteration: null, action_type: '', status: 'reused',
          input: null, output: json(d.output), error: null, scheduled_at: null, started_at: null, finished_at: d.completedAt, duration_ms: 0, worker_id: null,
        });
      } else {
        const started = startedFrom(row, d);
        const from = (started.started_at ?? row.started_at ?? row.scheduled_at) as string | null;
        steps.set(key, { ...row, ...started, status: 'succeeded', output: json(d.output), finished_at: d.completedAt, duration_ms: ms(from, d.completedAt) });
      }
      updateRun({ steps_done: (run?.steps_done ?? 0) + 1 });
      return;
    }
    case 'StepFailed':
    case 'StepTimedOut': {
      const d = event.data;
      const at = event.type === 'StepFailed' ? event.data.failedAt : event.data.timedOutAt;
      const error = event.type === 'StepFailed' ? event.data.error : { kind: 'Timeout', message: `Timed out after ${event.data.timeoutMs} ms`, retryable: true };
      const row = steps.get(stepKey(runId, d.scheduledId));
      const started = row && event.type === 'StepFailed' ? startedFrom(row, event.data) : {};
      const from = (started.started_at ?? row?.started_at ?? row?.scheduled_at) as string | null | undefined;
      updateStep(d.scheduledId, { ...started, status: event.type === 'StepFailed' ? 'failed' : 'timed_out', error: json({ ...error, handling: d.handling }), finished_at: at, duration_ms: ms(from, at) });
      updateRun(d.handling === 'continue' ? { steps_done: (run?.steps_done ?? 0) + 1 } : {});
      return;
    }
    case 'TimerStarted':
    case 'ApprovalRequested':
    case 'ChildExecutionStarted':
      updateStep(event.data.scheduledId, { status: 'waiting', ...(steps.get(stepKey(runId, event.data.scheduledId))?.started_at ? {} : { started_at: recorded.metadata.occurredAt }) });
      updateRun({});
      return;
    case 'StepSkipped': {
      const scheduledId = `skipped:${event.data.stepId}:${revision}`;
      steps.set(stepKey(runId, scheduledId), {
        execution_id: runId, step_id: event.data.stepId, attempt: 0, scheduled_id: scheduledId, iteration: null, action_type: '', status: 'skipped',
        input: null, output: null, error: null, scheduled_at: null, started_at: null, finished_at: recorded.metadata.occurredAt, duration_ms: 0, worker_id: null,
      });
      updateRun({ steps_done: (run?.steps_done ?? 0) + 1 });
      return;
    }
    case 'LoopIterationStarted':
      if (event.data.scheduledId) updateStep(event.data.scheduledId, { status: 'iterating' });
      updateRun({});
      return;
    case 'StepRetryScheduled':
      updateRun({});
      return;
    case 'ExecutionSucceeded':
      updateRun({ status: 'succeeded', output: json(event.data.output ?? {}), finished_at: event.data.completedAt, duration_ms: ms(run?.started_at as string, event.data.completedAt) });
      return;
    case 'ExecutionFailed':
      updateRun({ status: 'failed', error: json({ ...event.data.error, stepId: event.data.stepId ?? null }), finished_at: event.data.failedAt, duration_ms: ms(run?.started_at as string, event.data.failedAt) });
      return;
    case 'ExecutionCancelled':
      updateRun({ status: 'cancelled', error: event.data.reason ? json({ kind: 'Cancelled', message: event.data.reason }) : null, finished_at: event.data.cancelledAt, duration_ms: ms(run?.started_at as string, event.data.cancelledAt) });
      return;
    case 'ExecutionPaused':
      updateRun({ status: 'paused' });
      return;
    case 'ExecutionResumed':
      updateRun({ status: 'running' });
      return;
    case 'ExecutionRetried':
      updateRun({ status: 'running', error: null, finished_at: null, duration_ms: null });
      return;
    default:
      updateRun({});
  }
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function runFromSelected(row: Selectable<ExecutionTable>): RunRow {
  return {
    ...row,
    input: json(row.input),
    output: row.output === null ? null : json(row.output),
    error: row.error === null ? null : json(row.error),
    started_at: iso(row.started_at)!,
    finished_at: iso(row.finished_at),
    revision: String(row.revision),
  };
}

function stepFromSelected(row: Selectable<ExecutionStepTable>): StepRow {
  return {
    ...row,
    input: row.input === null ? null : json(row.input),
    output: row.output === null ? null : json(row.output),
    error: row.error === null ? null : json(row.error),
    scheduled_at: iso(row.scheduled_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  };
}

/** `execution` and `execution_step`: runs for lists and filters, and every step attempt (G2). */
export const executionProjector: Projector = {
  name: 'execution',
  queue: 'execution',
  categories: [StreamCategory.execution],
  tables: ['execution', 'execution_step'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    // A run that starts in this batch has no rows yet (its ExecutionStarted is its first event, applied once): only
    // the others are read. Under load a run often starts and ends within one batch, and then nothing is.
    const starting = new Set(events.filter((e) => e.type === 'ExecutionStarted').map((e) => (e.data as { executionId: string }).executionId));
    const known = [...new Set(events.map((e) => (e.data as { executionId: string }).executionId))].filter((id) => !starting.has(id));
    const runs = new Map<string, RunRow>();
    const steps = new Map<string, StepRow>();
    if (known.length > 0) {
      for (const row of await trx.selectFrom('execution').selectAll().where('execution_id', 'in', known).execute()) runs.set(row.execution_id, runFromSelected(row));
      for (const row of await trx.selectFrom('execution_step').selectAll().where('execution_id', 'in', known).execute()) {
        steps.set(stepKey(row.execution_id, row.scheduled_id), stepFromSelected(row));
      }
    }
    const before = new Map([...runs].map(([k, v]) => [k, v]));
    const stepsBefore = new Map([...steps].map(([k, v]) => [k, v]));
    for (const event of events) evolveExecutionRows(runs, steps, event);
    const changedRuns = [...runs].filter(([k, v]) => before.get(k) !== v).map(([, v]) => v);
    const changedSteps = [...steps].filter(([k, v]) => stepsBefore.get(k) !== v).map(([, v]) => v);
    if (changedRuns.length > 0) {
      await trx
        .insertInto('execution')
        .values(changedRuns)
        .onConflict((oc) =>
          oc.column('execution_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            output: eb.ref('excluded.output'),
            error: eb.ref('excluded.error'),
            finished_at: eb.ref('excluded.finished_at'),
            duration_ms: eb.ref('excluded.duration_ms'),
            steps_done: eb.ref('excluded.steps_done'),
            revision: eb.ref('excluded.revision'),
          })),
        )
        .execute();
    }
    if (changedSteps.length > 0) {
      await trx
        .insertInto('execution_step')
        .values(changedSteps)
        .onConflict((oc) =>
          oc.columns(['execution_id', 'scheduled_id']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            output: eb.ref('excluded.output'),
            error: eb.ref('excluded.error'),
            started_at: eb.ref('excluded.started_at'),
            finished_at: eb.ref('excluded.finished_at'),
            duration_ms: eb.ref('excluded.duration_ms'),
            worker_id: eb.ref('excluded.worker_id'),
          })),
        )
        .execute();
    }
  },
};
