import type { Approvers, ExecutionEvent, ExecutionTrigger, FailureHandling, ParentRef, RetryPolicy, StepError, StepScheduling, WorkflowDefinition } from '@contracts';
import { STEP_TIMEOUT_ERROR_KIND, emptyDefinition } from '@contracts';
import { assertNever, type DecidedOf } from '../decider';
import { loopShapes } from '../workflow/loops';

export type ExecutionDecidedEvent = DecidedOf<ExecutionEvent>;

export type ExecutionStatus = 'none' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

/**
 * Where one step of the run stands. `succeeded` includes a failure handled by `continue` (output
 * null); `failed` is terminal for the step: either it failed the run, or (`routedToError`) its
 * `error` edges were taken.
 */
export type StepStatus = 'pending' | 'scheduled' | 'running' | 'waiting' | 'waiting_retry' | 'iterating' | 'succeeded' | 'failed' | 'skipped';

/** What a `waiting` step waits for. */
export type StepWaitState =
  | { kind: 'timer'; timerId: string; fireAt: string }
  | {
      kind: 'approval';
      approvalId: string;
      approvers: Approvers;
      mode: 'any' | 'all';
      requireComment: boolean;
      onTimeout: 'escalate' | 'reject' | 'approve';
      escalateTo?: Approvers;
      requestedAt: string;
      timeoutAt?: string;
      escalated: boolean;
      grantedBy: string[];
    }
  | { kind: 'child'; childExecutionId: string; workflowId: string; version: number };

export interface StepRun {
  status: StepStatus;
  /** The latest attempt scheduled (0 before the first); while waiting_retry, the attempt the timer is for. */
  attempt: number;
  scheduledId?: string;
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  output?: unknown;
  edgeConditions?: Record<string, boolean>;
  error?: StepError;
  handling?: FailureHandling;
  notBefore?: string;
  wait?: StepWaitState;
  /** A loop step going round its body: which item, of how many. */
  loop?: { index: number; count: number; items: unknown[] };
}

export interface ExecutionState {
  status: ExecutionStatus;
  executionId: string;
  workflowId: string;
  workspaceId: string;
  version: number;
  definition: WorkflowDefinition;
  input: Record<string, unknown>;
  steps: Record<string, StepRun>;
  trigger?: ExecutionTrigger;
  parent?: ParentRef;
  timeoutMs?: number;
  startedAt: string;
}

export const initialExecutionState = (): ExecutionState => ({
  status: 'none',
  executionId: '',
  workflowId: '',
  workspaceId: '',
  version: 0,
  definition: emptyDefinition(),
  input: {},
  steps: {},
  startedAt: '',
});

export const FINISHED: ReadonlySet<ExecutionStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** A step's run once an attempt is scheduled: whatever an earlier attempt left is gone. */
const scheduledRun = (attempt: number, scheduledId: string, { retryPolicy, timeoutMs }: Pick<StepScheduling, 'retryPolicy' | 'timeoutMs'>): StepRun => ({
  status: 'scheduled',
  attempt,
  scheduledId,
  retryPolicy,
  timeoutMs,
});

export function evolveExecution(state: ExecutionState, event: ExecutionDecidedEvent): ExecutionState {
  const step = (stepId: string, change: (run: StepRun) => StepRun): ExecutionState => {
    const run = state.steps[stepId];
    return run ? { ...state, steps: { ...state.steps, [stepId]: change(run) } } : state;
  };
  switch (event.type) {
    case 'ExecutionStarted': {
      const { executionId, workflowId, workspaceId, version, definition, input, trigger, parent, timeoutMs, startedAt } = event.data;
      const steps = Object.fromEntries(definition.steps.map((s) => [s.id, { status: 'pending', attempt: 0 } satisfies StepRun]));
      return { status: 'running', executionId, workflowId, workspaceId, version, definition, input, steps, trigger, parent, timeoutMs, startedAt };
    }
    case 'StepScheduled':
      return step(event.data.stepId, () => scheduledRun(event.data.attempt, event.data.scheduledId, event.data));
    case 'StepStarted':
      return step(event.data.stepId, (run) => ({ ...run, status: 'running' }));
    case 'StepSucceeded': {
      const { output, edgeConditions, attempt, scheduledId, scheduled } = event.data;
      return step(event.data.stepId, (run) => ({
        // Scheduled in the same write (compactExecution): the run as its StepScheduled would have left it.
        ...(scheduled ? scheduledRun(attempt, scheduledId, scheduled) : run),
        status: 'succeeded',
        attempt,
        scheduledId,
        output,
        wait: undefined,
        ...(edgeConditions ? { edgeConditions } : {}),
      }));
    }
    case 'StepFailed':
      return step(event.data.stepId, (run) => afterFailure(run, event.data.handling, event.data.error));
    case 'StepTimedOut':
      return step(event.data.stepId, (run) =>
        afterFailure(run, event.data.handling, { kind: STEP_TIMEOUT_ERROR_KIND, message: `Timed out after ${event.data.timeoutMs} ms`, retryable: true }),
      );
    case 'StepRetryScheduled':
      return step(event.data.stepId, (run) => ({ ...run, status: 'waiting_retry', attempt: event.data.attempt, notBefore: event.data.notBefore }));
    case 'StepSkipped':
      return step(event.data.stepId, (run) => ({ ...run, status: 'skipped' }));
    case 'ExecutionSucceeded':
      return { ...state, status: 'succeeded' };
    case 'ExecutionFailed':
      return { ...state, status: 'failed' };
    case 'ExecutionCancelled':
      return { ...state, status: 'cancelled' };
    case 'ExecutionPaused':
      return { ...state, status: 'paused' };
    case 'ExecutionResumed':
    case 'ExecutionRetried':
      return { ...state, status: 'running' };
    case 'TimerStarted': {
      const { timerId, fireAt } = event.data;
      return step(event.data.stepId, (run) => ({ ...run, status: 'waiting', wait: { kind: 'timer', timerId, fireAt } }));
    }
    case 'TimerFired':
      return state;
    case 'ApprovalRequested': {
      const { approvalId, approvers, mode, requireComment, onTimeout, escalateTo, requestedAt, timeoutAt } = event.data;
      return step(event.data.stepId, (run) => ({
        ...run,
        status: 'waiting',
        wait: { kind: 'approval', approvalId, approvers, mode, requireComment, onTimeout, escalateTo, requestedAt, timeoutAt, escalated: false, grantedBy: [] },
      }));
    }
    case 'ApprovalGranted':
      return step(event.data.stepId, (run) =>
        run.wait?.kind === 'approval' && event.data.userId
          ? { ...run, wait: { ...run.wait, grantedBy: [...run.wait.grantedBy, event.data.userId] } }
          : run,
      );
    case 'ApprovalRejected':
      return state;
    case 'ApprovalEscalated': {
      const { approvers, timeoutAt } = event.data;
      return step(event.data.stepId, (run) =>
        run.wait?.kind === 'approval' ? { ...run, wait: { ...run.wait, approvers, timeoutAt, escalated: true } } : run,
      );
    }
    case 'LoopIterationStarted': {
      const { stepId, index, count, items } = event.data;
      const loop = state.steps[stepId];
      if (!loop) return state;
      // The body starts afresh for this item (its own attempts, outputs of the last item gone).
      const body = loopShapes(state.definition).get(stepId)?.body ?? new Set<string>();
      const steps = { ...state.steps };
      for (const id of body) steps[id] = { status: 'pending', attempt: 0 };
      steps[stepId] = { ...loop, status: 'iterating', loop: { index, count, items: items ?? loop.loop?.items ?? [] } };
      return { ...state, steps };
    }
    case 'ChildExecutionStarted': {
      const { childExecutionId, workflowId, version } = event.data;
      return step(event.data.stepId, (run) => ({ ...run, status: 'waiting', wait: { kind: 'child', childExecutionId, workflowId, version } }));
    }
    default:
      return assertNever(event);
  }
}

function afterFailure(run: StepRun, handling: FailureHandling, error: StepError): StepRun {
  switch (handling) {
    case 'retry':
      // The StepRetryScheduled decided with it sets the next attempt and its due time.
      return { ...run, status: 'waiting_retry', error, handling };
    case 'continue':
      return { ...run, status: 'succeeded', output: null, error, handling };
    case 'error_branch':
    case 'fail_execution':
      return { ...run, status: 'failed', error, handling, wait: undefined };
    default:
      return assertNever(handling);
  }
}
