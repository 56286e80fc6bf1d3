import type { DecideApproval, FinishChild, FireTimer, StepError, TimeOutApproval, WaitStep } from '@contracts';
import { DomainError, assertNever } from '../decider';
import type { ExecutionDecidedEvent, ExecutionState, StepRun, StepWaitState } from './execution.state';
import { addMs } from './walk';

/**
 * Steps that wait without a worker (SPEC B3): a delay's timer, an approval, a child run. The
 * attempt sets the wait up and ends (WaitStep); the step then stays `waiting` until its timer
 * fires, an approver answers (or the approval times out), or the child run finishes. Nothing
 * holds a broker message or a promise meanwhile, so a restart loses no wait.
 */

type ApprovalWait = Extract<StepWaitState, { kind: 'approval' }>;

/** The events that record a wait set up by the live attempt of a step. */
export function startWait(state: ExecutionState, command: WaitStep, at: string): ExecutionDecidedEvent[] {
  const { executionId } = state;
  const { stepId, attempt, scheduledId, wait } = command.data;
  const ref = { executionId, stepId, attempt, scheduledId };
  switch (wait.kind) {
    case 'timer':
      return [{ type: 'TimerStarted', data: { ...ref, timerId: wait.timerId, fireAt: wait.fireAt, startedAt: at } }];
    case 'approval': {
      const { kind: _kind, ...request } = wait;
      if (request.approvers.userIds.length === 0 && !request.approvers.role) {
        throw new DomainError('rule_violated', 'no-approvers', 'An approval needs at least one approver or a role');
      }
      return [{ type: 'ApprovalRequested', data: { ...ref, ...request, workflowId: state.workflowId, requestedAt: at } }];
    }
    case 'child':
      return [{ type: 'ChildExecutionStarted', data: { ...ref, childExecutionId: wait.childExecutionId, workflowId: wait.workflowId, version: wait.version, startedAt: at } }];
    default:
      return assertNever(wait);
  }
}

export type WaitOutcome = ExecutionDecidedEvent[] | { failure: { stepId: string; error: StepError; random: number } };

/** What ends (or moves) a wait: the timer, an approver's answer, the approval's timeout, the child's end. */
export function resolveWait(state: ExecutionState, command: FireTimer | DecideApproval | TimeOutApproval | FinishChild, at: string): WaitOutcome {
  switch (command.type) {
    case 'FireTimer': {
      const { stepId, timerId } = command.data;
      const run = waitingStep(state, stepId, (w) => w.kind === 'timer' && w.timerId === timerId, 'stale-timer');
      const ref = attemptRef(state, stepId, run);
      const wait = run.wait as Extract<StepWaitState, { kind: 'timer' }>;
      return [
        { type: 'TimerFired', data: { ...ref, timerId, firedAt: at } },
        { type: 'StepSucceeded', data: { ...ref, output: { waitedUntil: wait.fireAt }, completedAt: at } },
      ];
    }
    case 'DecideApproval': {
      const { approvalId, decision, userId, comment } = command.data;
      const [stepId, run, wait] = findApproval(state, approvalId);
      if (wait.grantedBy.includes(userId)) throw new DomainError('conflict', 'already-decided', 'You have already approved this request');
      if (decision === 'reject' && wait.requireComment && !comment?.trim()) {
        throw new DomainError('rule_violated', 'comment-required', 'A rejection of this request must say why');
      }
      const decided = { executionId: state.executionId, stepId, approvalId, userId, ...(comment ? { comment } : {}), decidedAt: at };
      if (decision === 'reject') {
        return [{ type: 'ApprovalRejected', data: decided }, approvalDone(state, stepId, run, wait, 'rejected', at, { userId, comment })];
      }
      const granted: ExecutionDecidedEvent = { type: 'ApprovalGranted', data: decided };
      const everyone = wait.mode === 'all' && wait.approvers.userIds.length > 0 ? wait.approvers.userIds : [userId];
      const stillWaiting = everyone.filter((id) => id !== userId && !wait.grantedBy.includes(id));
      return stillWaiting.length > 0 ? [granted] : [granted, approvalDone(state, stepId, run, wait, 'approved', at, { userId, comment })];
    }
    case 'TimeOutApproval': {
      const [stepId, run, wait] = findApproval(state, command.data.approvalId);
      const base = { executionId: state.executionId, stepId, approvalId: wait.approvalId };
      if (wait.onTimeout === 'escalate' && !wait.escalated && wait.escalateTo) {
        // The escalated request gets as long again; after that it is rejected.
        const span = wait.timeoutAt ? Date.parse(wait.timeoutAt) - Date.parse(wait.requestedAt) : undefined;
        const timeoutAt = span !== undefined ? addMs(at, span) : undefined;
        return [{ type: 'ApprovalEscalated', data: { ...base, approvers: wait.escalateTo, ...(timeoutAt ? { timeoutAt } : {}), escalatedAt: at } }];
      }
      const outcome = wait.onTimeout === 'approve' ? 'approved' : 'rejected';
      return [
        { type: outcome === 'approved' ? 'ApprovalGranted' : 'ApprovalRejected', data: { ...base, decidedAt: at } },
        approvalDone(state, stepId, run, wait, outcome, at, { timedOut: true }),
      ];
    }
    case 'FinishChild': {
      const { stepId, childExecutionId, status, output, error, random } = command.data;
      const run = waitingStep(state, stepId, (w) => w.kind === 'child' && w.childExecutionId === childExecutionId, 'stale-child');
      const wait = run.wait as Extract<StepWaitState, { kind: 'child' }>;
      if (status === 'succeeded') {
        const result = { executionId: childExecutionId, version: wait.version, status, output: output ?? null };
        return [{ type: 'StepSucceeded', data: { ...attemptRef(state, stepId, run), output: result, completedAt: at } }];
      }
      const childError: StepError = {
        kind: 'ChildExecutionFailed',
        message: `Sub-workflow execution ${childExecutionId} ${status}${error ? `: ${error.message}` : ''}`,
        retryable: false,
      };
      return { failure: { stepId, error: childError, random } };
    }
    default:
      return assertNever(command);
  }
}

function attemptRef(state: ExecutionState, stepId: string, run: StepRun) {
  return { executionId: state.executionId, stepId, attempt: run.attempt, scheduledId: run.scheduledId ?? '' };
}

function waitingStep(state: ExecutionState, stepId: string, matches: (wait: StepWaitState) => boolean, code: string): StepRun {
  const run = state.steps[stepId];
  if (!run || run.status !== 'waiting' || !run.wait || !matches(run.wait)) {
    throw new DomainError('conflict', code, `Step ${stepId} is not waiting for this`);
  }
  return run;
}

function findApproval(state: ExecutionState, approvalId: string): [string, StepRun, ApprovalWait] {
  for (const [stepId, run] of Object.entries(state.steps)) {
    if (run.status === 'waiting' && run.wait?.kind === 'approval' && run.wait.approvalId === approvalId) return [stepId, run, run.wait];
  }
  throw new DomainError('conflict', 'approval-closed', `Approval ${approvalId} is not open`);
}

function approvalDone(
  state: ExecutionState,
  stepId: string,
  run: StepRun,
  wait: ApprovalWait,
  decision: 'approved' | 'rejected',
  at: string,
  by: { userId?: string; comment?: string; timedOut?: boolean },
): ExecutionDecidedEvent {
  const output = {
    decision,
    branch: decision,
    ...(by.userId ? { decidedBy: by.userId } : {}),
    ...(by.comment ? { comment: by.comment } : {}),
    decidedAt: at,
    escalated: wait.escalated,
    timedOut: by.timedOut === true,
  };
  return { type: 'StepSucceeded', data: { ...attemptRef(state, stepId, run), output, completedAt: at } };
}
