import type { EdgeDefinition, RetryPolicy, StepDefinition, WorkflowDefinition } from '@contracts';
import { DEFAULT_RETRY_POLICY, DEFAULT_STEP_TIMEOUT_MS, findAction } from '@contracts';
import { evolveExecution, type ExecutionDecidedEvent, type ExecutionState, type StepRun } from './execution.state';
import { EACH_LABEL, backEdgesOf, enclosingLoops, loopShapes } from '../workflow/loops';

/**
 * The walk of SPEC B2 over a pinned, acyclic definition, as pure functions of the execution state.
 *
 * An edge is `pending` until its source step is done, then `taken` or `not_taken`. A pending step
 * runs once every incoming edge is decided and at least one was taken (a join waits for all its
 * inputs); when every incoming edge is decided and none was taken, the step is skipped, and that
 * decides its own outgoing edges as not taken, so skipping propagates.
 *
 * A loop step (loops.ts) goes round its body once per item: while it iterates its `each` edges
 * are taken and the others wait; when the body is done the next item starts it afresh, and after
 * the last the loop succeeds and its other edges (`done`) are taken. Back edges into a loop never
 * hold a step up.
 *
 * Not here yet: joins on any / N of M. A step's input is its raw config; the engine resolves
 * `{{ }}` expressions when the attempt runs.
 */
export type EdgeOutcome = 'pending' | 'taken' | 'not_taken';

export const ERROR_LABEL = 'error';

export function edgeOutcome(state: ExecutionState, edge: EdgeDefinition): EdgeOutcome {
  const source = state.steps[edge.from];
  const definition = state.definition.steps.find((s) => s.id === edge.from);
  if (!source || !definition) return 'not_taken';
  if (definition.type === 'loop') {
    if (source.status === 'iterating') return edge.label === EACH_LABEL ? 'taken' : 'pending';
    if (source.status === 'succeeded') return edge.label === EACH_LABEL || edge.label === ERROR_LABEL ? 'not_taken' : 'taken';
  }
  switch (source.status) {
    case 'skipped':
      return 'not_taken';
    case 'failed':
      return source.handling === 'error_branch' && edge.label === ERROR_LABEL ? 'taken' : 'not_taken';
    case 'succeeded':
      return successEdgeTaken(definition, source, edge) ? 'taken' : 'not_taken';
    default:
      return 'pending';
  }
}

function successEdgeTaken(step: StepDefinition, run: StepRun, edge: EdgeDefinition): boolean {
  if (edge.label === ERROR_LABEL) return false;
  // JSONata edge conditions are evaluated by the engine and arrive with the completion.
  if (edge.condition !== undefined && edge.condition.trim() !== '') return run.edgeConditions?.[edge.id] === true;
  const branches = findAction(step.type)?.branches ?? [];
  if (edge.label !== undefined && branches.includes(edge.label)) return chosenBranch(run.output) === edge.label;
  return true;
}

/** The branch a branching step chose: a condition's boolean `result`, or a `branch` name. */
export function chosenBranch(output: unknown): string | undefined {
  if (output === null || typeof output !== 'object') return undefined;
  const { result, branch } = output as { result?: unknown; branch?: unknown };
  if (typeof result === 'boolean') return String(result);
  return typeof branch === 'string' ? branch : undefined;
}

/** The step's own policy, else its action's default, else the catalogue-wide default. */
export function effectivePolicy(step: StepDefinition): { retryPolicy: RetryPolicy; timeoutMs: number } {
  const defaults = findAction(step.type)?.defaults;
  const policy = step.retryPolicy ?? defaults?.retryPolicy ?? DEFAULT_RETRY_POLICY;
  return {
    retryPolicy: { ...policy, nonRetryableErrors: [...policy.nonRetryableErrors] },
    timeoutMs: step.timeoutMs ?? defaults?.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
  };
}

/**
 * Wait before retrying after failed attempt `attempt` (1-based): initialInterval * coefficient^(attempt-1),
 * capped at maxInterval, of which a `jitter` share is randomised downwards by `random` in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1), policy.maxIntervalMs);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(base * (1 - policy.jitter * r));
}

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** The id of one scheduling: unique because command ids are, and stable if the same command is decided again. */
export const scheduledIdFor = (commandId: string, stepId: string, attempt: number): string => `${commandId}:${stepId}:${attempt}`;

/** "2" or "0.3": the item index of each loop around the step, outermost first (undefined outside loops). */
export function iterationOf(state: ExecutionState, stepId: string): string | undefined {
  const loops = enclosingLoops(state.definition, stepId);
  return loops.length === 0 ? undefined : loops.map((l) => state.steps[l.loopId]?.loop?.index ?? 0).join('.');
}

export function scheduleStep(state: ExecutionState, stepId: string, attempt: number, at: string, commandId: string): ExecutionDecidedEvent {
  const step = state.definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`unreachable: no step ${stepId} in the pinned definition`);
  const { retryPolicy, timeoutMs } = effectivePolicy(step);
  const iteration = iterationOf(state, stepId);
  return {
    type: 'StepScheduled',
    data: {
      executionId: state.executionId,
      stepId,
      attempt,
      scheduledId: scheduledIdFor(commandId, stepId, attempt),
      actionType: step.type,
      ...(iteration !== undefined ? { iteration } : {}),
      retryPolicy,
      timeoutMs,
      input: step.config,
      scheduledAt: at,
    },
  };
}

/**
 * Everything the current state makes happen next: skips (propagated to a fixed point), first
 * attempts of steps that became ready, and ExecutionSucceeded when no step is left to run.
 * A paused run does nothing; resuming calls this again.
 */
export function advance(start: ExecutionState, at: string, commandId: string): ExecutionDecidedEvent[] {
  if (start.status !== 'running') return [];
  const events: ExecutionDecidedEvent[] = [];
  let state = start;
  const emit = (event: ExecutionDecidedEvent) => {
    events.push(event);
    state = evolveExecution(state, event);
  };
  const incoming = incomingEdges(state.definition);
  const loops = [...loopShapes(state.definition).values()];
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of state.definition.steps) {
      if (state.steps[step.id]?.status !== 'pending') continue;
      const readiness = joinReadiness(step, (incoming.get(step.id) ?? []).map((edge) => edgeOutcome(state, edge)));
      if (readiness === 'wait') continue;
      if (readiness === 'run') emit(scheduleStep(state, step.id, 1, at, commandId));
      else emit({ type: 'StepSkipped', data: { executionId: state.executionId, stepId: step.id, reason: 'branch_not_taken' } });
      changed = true;
    }
    // A loop whose body is done for this item goes on to the next, or succeeds after the last.
    for (const { loopId, body } of loops) {
      const run = state.steps[loopId];
      if (run?.status !== 'iterating' || !run.loop || ![...body].every((id) => isDone(state.steps[id]))) continue;
      const { index, count } = run.loop;
      if (index + 1 < count) {
        emit({ type: 'LoopIterationStarted', data: { executionId: state.executionId, stepId: loopId, index: index + 1, count } });
      } else {
        emit({
          type: 'StepSucceeded',
          data: { executionId: state.executionId, stepId: loopId, attempt: run.attempt, scheduledId: run.scheduledId ?? '', output: { iterations: count }, completedAt: at },
        });
      }
      changed = true;
    }
  }
  if (Object.values(state.steps).every(isDone)) {
    emit({ type: 'ExecutionSucceeded', data: { executionId: state.executionId, output: resultOf(state), completedAt: at } });
  }
  return events;
}

/**
 * Whether a pending step runs, is skipped or waits, from the outcomes of its incoming edges and its
 * join mode: `all` once every input is decided and one was taken; `any` once one is taken; N once
 * N are taken. It is skipped as soon as that can no longer happen. A step with no inputs runs.
 */
export function joinReadiness(step: StepDefinition, outcomes: EdgeOutcome[]): 'run' | 'skip' | 'wait' {
  if (outcomes.length === 0) return 'run';
  const taken = outcomes.filter((o) => o === 'taken').length;
  const pending = outcomes.filter((o) => o === 'pending').length;
  const join = step.join ?? 'all';
  if (join === 'all') return pending > 0 ? 'wait' : taken > 0 ? 'run' : 'skip';
  const needed = join === 'any' ? 1 : Math.min(join, outcomes.length);
  if (taken >= needed) return 'run';
  return taken + pending < needed ? 'skip' : 'wait';
}

/** The run's result: the outputs of the succeeded steps nothing follows, by step id. */
function resultOf(state: ExecutionState): Record<string, unknown> {
  const hasNext = new Set(state.definition.edges.map((e) => e.from));
  return Object.fromEntries(
    Object.entries(state.steps)
      .filter(([stepId, run]) => !hasNext.has(stepId) && run.status === 'succeeded')
      .map(([stepId, run]) => [stepId, run.output ?? null]),
  );
}

const isDone = (run: StepRun | undefined): boolean =>
  run !== undefined &&
  (run.status === 'succeeded' || run.status === 'skipped' || (run.status === 'failed' && run.handling === 'error_branch'));

/** The edges into each step that decide when it is ready (back edges into a loop excluded). */
export function incomingEdges(definition: WorkflowDefinition): Map<string, EdgeDefinition[]> {
  const back = backEdgesOf(definition);
  const map = new Map<string, EdgeDefinition[]>();
  for (const edge of definition.edges) if (!back.has(edge.id)) map.set(edge.to, [...(map.get(edge.to) ?? []), edge]);
  return map;
}

/** True when the edges form a cycle other than through a loop step's back edges. */
export function hasCycle(definition: WorkflowDefinition): boolean {
  const back = backEdgesOf(definition);
  const edges = definition.edges.filter((e) => !back.has(e.id));
  const indegree = new Map(definition.steps.map((s) => [s.id, 0]));
  for (const edge of edges) indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
  const queue = [...indegree].filter(([, n]) => n === 0).map(([id]) => id);
  let visited = 0;
  while (queue.length > 0) {
    const id = queue.pop()!;
    visited += 1;
    for (const edge of edges) {
      if (edge.from !== id) continue;
      const left = (indegree.get(edge.to) ?? 0) - 1;
      indegree.set(edge.to, left);
      if (left === 0) queue.push(edge.to);
    }
  }
  return visited < indegree.size;
}
