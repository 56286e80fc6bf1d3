import fc from 'fast-check';
import type { EdgeDefinition, EventEnvelope, ExecutionCommand, RetryPolicy, StepDefinition, WorkflowDefinition } from '@contracts';
import { emptyDefinition } from '@contracts';
import { specFor } from '../testing/given-when-then';
import { compactExecution, decideExecution, evolveExecution, executionDecider, initialExecutionState, type ExecutionDecidedEvent } from './execution.decider';
import { effectivePolicy, retryDelayMs } from './walk';

const executionId = '0b6e2f4e-3b7a-4c55-9d2e-7f0d6c1a2b3c';
const T0 = '2026-11-28T10:00:00.000Z';
const metadataAt = (commandId: string, occurredAt = T0) => ({
  commandId,
  correlationId: 'corr',
  causationId: 'cause',
  actor: { kind: 'system' as const, id: 'engine' },
  workspaceId: 'ws1',
  occurredAt,
});
const given = specFor(executionDecider, metadataAt('c1'));

const step = (id: string, type = 'transform', extra: Partial<StepDefinition> = {}): StepDefinition => ({
  id,
  name: id,
  type,
  config: { id },
  position: { x: 0, y: 0 },
  errorStrategy: 'fail',
  ...extra,
});
const edge = (from: string, to: string, label?: string): EdgeDefinition => ({ id: `${from}-${to}`, from, to, ...(label ? { label } : {}) });
const graph = (steps: StepDefinition[], edges: EdgeDefinition[] = []): WorkflowDefinition => ({ ...emptyDefinition(), steps, edges });

type Data<T extends ExecutionCommand['type']> = Omit<Extract<ExecutionCommand, { type: T }>['data'], 'executionId'>;
const cmd = <T extends ExecutionCommand['type']>(type: T, data: Data<T>) =>
  ({ type, data: { executionId, ...data } }) as unknown as Omit<ExecutionCommand, 'metadata'>;
const start = (definition: WorkflowDefinition) => cmd('StartExecution', { workflowId: 'wf1', version: 3, definition, input: { n: 1 } });

/** Past events made by the decider itself, one command after another (command ids h0, h1, ...). */
function history(...commands: (Omit<ExecutionCommand, 'metadata'> | [Omit<ExecutionCommand, 'metadata'>, string])[]): ExecutionDecidedEvent[] {
  const events: ExecutionDecidedEvent[] = [];
  commands.forEach((entry, i) => {
    const [command, at] = Array.isArray(entry) ? entry : [entry, T0];
    const state = events.reduce(evolveExecution, initialExecutionState());
    events.push(...decideExecution({ ...command, metadata: metadataAt(`h${i}`, at) } as ExecutionCommand, state));
  });
  return events;
}
/** The live scheduled id of a step after these events. */
const sid = (events: ExecutionDecidedEvent[], stepId: string) => events.reduce(evolveExecution, initialExecutionState()).steps[stepId].scheduledId!;
const attemptOf = (events: ExecutionDecidedEvent[], stepId: string) => events.reduce(evolveExecution, initialExecutionState()).steps[stepId].attempt;

const scheduled = (definition: WorkflowDefinition, stepId: string, commandId: string, attempt = 1, at = T0): ExecutionDecidedEvent => ({
  type: 'StepScheduled',
  data: {
    executionId,
    stepId,
    attempt,
    scheduledId: `${commandId}:${stepId}:${attempt}`,
    actionType: definition.steps.find((s) => s.id === stepId)!.type,
    ...effectivePolicy(definition.steps.find((s) => s.id === stepId)!),
    input: { id: stepId },
    scheduledAt: at,
  },
});
const skipped = (stepId: string): ExecutionDecidedEvent => ({ type: 'StepSkipped', data: { executionId, stepId, reason: 'branch_not_taken' } });
const succeededRun: ExecutionDecidedEvent = { type: 'ExecutionSucceeded', data: { executionId, completedAt: T0 } };

// Shorthands for worker reports on the live attempt of a step.
const startStep = (events: ExecutionDecidedEvent[], stepId: string) =>
  cmd('StartStep', { stepId, attempt: attemptOf(events, stepId), scheduledId: sid(events, stepId) });
const complete = (events: ExecutionDecidedEvent[], stepId: string, output: unknown = { ok: true }) =>
  cmd('CompleteStep', { stepId, attempt: attemptOf(events, stepId), scheduledId: sid(events, stepId), output });
const fail = (events: ExecutionDecidedEvent[], stepId: string, random = 0, kind = 'HttpServerError', retryable = true) =>
  cmd('FailStep', { stepId, attempt: attemptOf(events, stepId), scheduledId: sid(events, stepId), error: { kind, message: 'boom', retryable }, random });

/** Appends the decider's answers to `events` (used to build histories step by step). */
function then(events: ExecutionDecidedEvent[], command: Omit<ExecutionCommand, 'metadata'>, commandId: string, at = T0): ExecutionDecidedEvent[] {
  const state = events.reduce(evolveExecution, initialExecutionState());
  return [...events, ...decideExecution({ ...command, metadata: metadataAt(commandId, at) } as ExecutionCommand, state)];
}
/** Starts and completes a step. */
function run(events: ExecutionDecidedEvent[], stepId: string, output: unknown = { ok: true }, id = stepId): ExecutionDecidedEvent[] {
  const started = then(events, startStep(events, stepId), `${id}-s`);
  return then(started, complete(started, stepId, output), `${id}-c`);
}

describe('execution decider', () => {
  const linear = graph([step('a'), step('b'), step('c')], [edge('a', 'b'), edge('b', 'c')]);

  it('starts pinned to the version, scheduling only the steps without incoming edges', () =>
    given()
      .when(start(linear))
      .then([
        { type: 'ExecutionStarted', data: { executionId, workflowId: 'wf1', workspaceId: 'ws1', version: 3, definition: linear, input: { n: 1 }, startedAt: T0 } },
        scheduled(linear, 'a', 'c1'),
      ]));

  it('schedules with the action default policy unless the step has its own', () => {
    expect(scheduled(linear, 'a', 'c1').data).toMatchObject({ timeoutMs: 10_000, retryPolicy: { maxAttempts: 1 } });
    const own: RetryPolicy = { maxAttempts: 7, initialIntervalMs: 10, backoffCoefficient: 3, maxIntervalMs: 100, jitter: 0, nonRetryableErrors: [] };
    expect(effectivePolicy(step('x', 'http_request', { retryPolicy: own, timeoutMs: 5 }))).toEqual({ retryPolicy: own, timeoutMs: 5 });
    expect(effectivePolicy(step('x', 'http_request')).retryPolicy.maxAttempts).toBe(5);
  });

  it('refuses to start twice, and a cyclic definition', () => {
    given(...history(start(linear))).when(start(linear)).thenFails('execution-exists', 'conflict');
    given().when(start(graph([step('a'), step('b')], [edge('a', 'b'), edge('b', 'a')]))).thenFails('definition-cyclic', 'rule_violated');
  });

  it('runs a linear 3-step workflow to success, one step after another', () => {
    let events = history(start(linear));
    events = run(events, 'a');
    expect(events.at(-1)).toEqual(scheduled(linear, 'b', 'a-c'));
    events = run(events, 'b');
    expect(events.at(-1)).toEqual(scheduled(linear, 'c', 'b-c'));
    events = then(events, startStep(events, 'c'), 'c-s');
    given(...events)
      .when(complete(events, 'c', { done: 1 }))
      .then([
        { type: 'StepSucceeded', data: { executionId, stepId: 'c', attempt: 1, scheduledId: sid(events, 'c'), output: { done: 1 }, completedAt: T0 } },
        { type: 'ExecutionSucceeded', data: { executionId, output: { c: { done: 1 } }, completedAt: T0 } },
      ]);
  });

  it('succeeds at once when there is nothing to run', () => {
    const empty = graph([]);
    expect(history(start(empty)).map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionSucceeded']);
  });

  describe('parallel branches and joins', () => {
    const diamond = graph([step('a'), step('b'), step('c'), step('j')], [edge('a', 'b'), edge('a', 'c'), edge('b', 'j'), edge('c', 'j')]);

    it('schedules both branches at once and the join only when both are done', () => {
      let events = history(start(diamond));
      const afterA = run(events, 'a');
      expect(afterA.slice(events.length + 2)).toEqual([scheduled(diamond, 'b', 'a-c'), scheduled(diamond, 'c', 'a-c')]);
      events = run(afterA, 'c');
      expect(events.at(-1)?.type).toBe('StepSucceeded'); // the join still waits for b
      events = then(events, startStep(events, 'b'), 'b-s');
      given(...events).when(complete(events, 'b')).then([
        { type: 'StepSucceeded', data: { executionId, stepId: 'b', attempt: 1, scheduledId: sid(events, 'b'), output: { ok: true }, completedAt: T0 } },
        scheduled(diamond, 'j', 'c1'),
      ]);
    });
  });

  describe('conditions', () => {
    // cond --true--> yes --> join ; cond --false--> no --> after_no --> join ; other --> join
    const branching = graph(
      [step('cond', 'condition'), step('yes'), step('no'), step('after_no'), step('other'), step('join')],
      [edge('cond', 'yes', 'true'), edge('cond', 'no', 'false'), edge('no', 'after_no'), edge('after_no', 'join'), edge('other', 'join')],
    );

    it('takes the true branch and skips the false one, the skip propagating down the branch', () => {
      const events = history(start(branching));
      expect(events.slice(1)).toEqual([scheduled(branching, 'cond', 'h0'), scheduled(branching, 'other', 'h0')]);
      const started = then(events, startStep(events, 'cond'), 's');
      given(...started)
        .when(complete(started, 'cond', { result: true }))
        .then([
          { type: 'StepSucceeded', data: { executionId, stepId: 'cond', attempt: 1, scheduledId: sid(started, 'cond'), output: { result: true }, completedAt: T0 } },
          scheduled(branching, 'yes', 'c1'),
          skipped('no'),
          skipped('after_no'),
        ]);
    });

    it('runs a join with a skipped input once its other input completes', () => {
      let events = run(history(start(branching)), 'cond', { result: false });
      events = run(events, 'no');
      events = run(events, 'after_no');
      expect(events.filter((e) => e.type === 'StepSkipped')).toEqual([skipped('yes')]);
      expect(events.some((e) => e.type === 'StepScheduled' && e.data.stepId === 'join')).toBe(false); // waits for `other`
      events = run(events, 'other', { ok: true }, 'other');
      expect(events.at(-1)).toEqual(scheduled(branching, 'join', 'other-c'));
      events = run(events, 'join');
      expect(events.at(-1)).toMatchObject(succeededRun);
    });

    it('skips a join all of whose inputs were not taken', () => {
      const def = graph([step('cond', 'condition'), step('x'), step('y'), step('join')], [edge('cond', 'x', 'true'), edge('cond', 'y', 'true'), edge('x', 'join'), edge('y', 'join')]);
      const events = run(history(start(def)), 'cond', { result: false });
      expect(events.slice(-4)).toEqual([skipped('x'), skipped('y'), skipped('join'), { type: 'ExecutionSucceeded', data: { executionId, output: {}, completedAt: T0 } }]);
    });
  });

  describe('retries (B5)', () => {
    const policy: RetryPolicy = { maxAttempts: 3, initialIntervalMs: 1_000, backoffCoefficient: 2, maxIntervalMs: 3_000, jitter: 0.5, nonRetryableErrors: ['InvalidConfig'] };
    const retrying = graph([step('call', 'http_request', { errorStrategy: 'retry_then_fail', retryPolicy: policy }), step('next')], [edge('call', 'next')]);

    it('computes the exponential backoff, capped, with jitter from the command', () => {
      expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, 0))).toEqual([1_000, 2_000, 3_000, 3_000]);
      expect(retryDelayMs(policy, 2, 0.5)).toBe(1_500); // 2000 * (1 - 0.5 * 0.5)
      expect(retryDelayMs({ ...policy, jitter: 1 }, 1, 0.999)).toBe(1);
    });

    it('schedules a durable retry at failedAt + backoff, then the next attempt when the timer fires, and succeeds on attempt 2', () => {
      let events = history(start(retrying));
      events = then(events, startStep(events, 'call'), 's1');
      const failedAt = '2026-11-28T10:00:05.000Z';
      events = then(events, fail(events, 'call', 0), 'f1', failedAt);
      expect(events.slice(-2)).toEqual([
        {
          type: 'StepFailed',
          data: { executionId, stepId: 'call', attempt: 1, scheduledId: 'h0:call:1', error: { kind: 'HttpServerError', message: 'boom', retryable: true }, handling: 'retry', failedAt },
        },
        { type: 'StepRetryScheduled', data: { executionId, stepId: 'call', attempt: 2, notBefore: '2026-11-28T10:00:06.000Z', delayMs: 1_000 } },
      ]);
      given(...events).when(cmd('FireRetry', { stepId: 'call', attempt: 2 })).then([scheduled(retrying, 'call', 'c1', 2)]);
      events = then(events, cmd('FireRetry', { stepId: 'call', attempt: 2 }), 'r1', '2026-11-28T10:00:06.000Z');
      events = then(events, startStep(events, 'call'), 's2');
      events = then(events, complete(events, 'call'), 'c2');
      expect(events.at(-1)).toEqual(scheduled(retrying, 'next', 'c2'));
    });

    it('spreads the second retry by the jitter: 2000 ms * (1 - 0.5 * 0.5)', () => {
      let events = then(history(start(retrying)), startStep(history(start(retrying)), 'call'), 's1');
      events = then(events, fail(events, 'call'), 'f1');
      events = then(events, cmd('FireRetry', { stepId: 'call', attempt: 2 }), 'r1');
      events = then(events, startStep(events, 'call'), 's2');
      given(...events)
        .when(fail(events, 'call', 0.5))
        .then([
          {
            type: 'StepFailed',
            data: { executionId, stepId: 'call', attempt: 2, scheduledId: 'r1:call:2', error: { kind: 'HttpServerError', message: 'boom', retryable: true }, handling: 'retry', failedAt: T0 },
          },
          { type: 'StepRetryScheduled', data: { executionId, stepId: 'call', attempt: 3, notBefore: '2026-11-28T10:00:01.500Z', delayMs: 1_500 } },
        ]);
    });

    it('fails the execution when the attempts are exhausted', () => {
      let events = then(history(start(retrying)), startStep(history(start(retrying)), 'call'), 's1');
      for (const n of [2, 3]) {
        events = then(events, fail(events, 'call'), `f${n}`);
        events = then(events, cmd('FireRetry', { stepId: 'call', attempt: n }), `r${n}`);
        events = then(events, startStep(events, 'call'), `s${n}`);
      }
      const error = { kind: 'HttpServerError', message: 'boom', retryable: true };
      given(...events)
        .when(fail(events, 'call'))
        .then([
          { type: 'StepFailed', data: { executionId, stepId: 'call', attempt: 3, scheduledId: 'r3:call:3', error, handling: 'fail_execution', failedAt: T0 } },
          { type: 'ExecutionFailed', data: { executionId, stepId: 'call', error, failedAt: T0 } },
        ]);
    });

    it('never retries a non-retryable error, nor under the fail strategy', () => {
      const events = then(history(start(retrying)), startStep(history(start(retrying)), 'call'), 's1');
      const handling = (command: Omit<ExecutionCommand, 'metadata'>, evs = events) =>
        decideExecution({ ...command, metadata: metadataAt('x') } as ExecutionCommand, evs.reduce(evolveExecution, initialExecutionState())).map((e) => e.type);
      expect(handling(fail(events, 'call', 0, 'InvalidConfig'))).toEqual(['StepFailed', 'ExecutionFailed']);
      expect(handling(fail(events, 'call', 0, 'HttpServerError', false))).toEqual(['StepFailed', 'ExecutionFailed']);
      const strict = graph([step('call', 'http_request', { retryPolicy: policy })]);
      const strictEvents = then(history(start(strict)), startStep(history(start(strict)), 'call'), 's1');
      expect(handling(fail(strictEvents, 'call'), strictEvents)).toEqual(['StepFailed', 'ExecutionFailed']);
    });

    it('treats a timeout as a retryable failure', () => {
      const events = then(history(start(retrying)), startStep(history(start(retrying)), 'call'), 's1');
      given(...events)
        .when(cmd('TimeOutStep', { stepId: 'call', attempt: 1, scheduledId: 'h0:call:1', random: 0 }))
        .then([
          { type: 'StepTimedOut', data: { executionId, stepId: 'call', attempt: 1, scheduledId: 'h0:call:1', timeoutMs: 120_000, handling: 'retry', timedOutAt: T0 } },
          { type: 'StepRetryScheduled', data: { executionId, stepId: 'call', attempt: 2, notBefore: '2026-11-28T10:00:01.000Z', delayMs: 1_000 } },
        ]);
    });

    it('refuses a retry timer that is not the one the step waits for', () => {
      const events = then(history(start(retrying)), startStep(history(start(retrying)), 'call'), 's1');
      given(...events).when(cmd('FireRetry', { stepId: 'call', attempt: 2 })).thenFails('stale-timer', 'conflict');
    });
  });

  describe('error strategies (B6)', () => {
    const once: RetryPolicy = { maxAttempts: 1, initialIntervalMs: 1, backoffCoefficient: 1, maxIntervalMs: 1, jitter: 0, nonRetryableErrors: [] };

    it('continue: the failed step counts as succeeded with output null and the walk goes on', () => {
      const def = graph([step('a', 'http_request', { errorStrategy: 'continue', retryPolicy: once }), step('b')], [edge('a', 'b')]);
      const events = then(history(start(def)), startStep(history(start(def)), 'a'), 's1');
      given(...events)
        .when(fail(events, 'a'))
        .then([
          {
            type: 'StepFailed',
            data: { executionId, stepId: 'a', attempt: 1, scheduledId: 'h0:a:1', error: { kind: 'HttpServerError', message: 'boom', retryable: true }, handling: 'continue', failedAt: T0 },
          },
          scheduled(def, 'b', 'c1'),
        ]);
      expect(then(events, fail(events, 'a'), 'f').reduce(evolveExecution, initialExecutionState()).steps.a).toMatchObject({ status: 'succeeded', output: null });
    });

    it('error_branch: only the edges labelled error are taken, the others skipped, and the run can still succeed', () => {
      const def = graph(
        [step('a', 'http_request', { errorStrategy: 'error_branch', retryPolicy: once }), step('ok'), step('handler')],
        [edge('a', 'ok'), edge('a', 'handler', 'error')],
      );
      let events = then(history(start(def)), startStep(history(start(def)), 'a'), 's1');
      events = then(events, fail(events, 'a'), 'f1');
      expect(events.slice(-3).map((e) => [e.type, 'stepId' in e.data ? e.data.stepId : '', 'handling' in e.data ? e.data.handling : ''])).toEqual([
        ['StepFailed', 'a', 'error_branch'],
        ['StepSkipped', 'ok', ''],
        ['StepScheduled', 'handler', ''],
      ]);
      expect(run(events, 'handler').at(-1)).toMatchObject(succeededRun);
    });

    it('does not take error edges after a success', () => {
      const def = graph([step('a', 'http_request', { errorStrategy: 'error_branch' }), step('ok'), step('handler')], [edge('a', 'ok'), edge('a', 'handler', 'error')]);
      const events = run(history(start(def)), 'a');
      expect(events.slice(-2)).toEqual([scheduled(def, 'ok', 'a-c'), skipped('handler')]);
    });
  });

  describe('stale reports', () => {
    const events = then(history(start(linear)), startStep(history(start(linear)), 'a'), 's1');

    it('rejects a duplicate completion, a wrong attempt or scheduled id, and a step not running', () => {
      const done = then(events, complete(events, 'a'), 'c');
      given(...done).when(cmd('CompleteStep', { stepId: 'a', attempt: 1, scheduledId: 'h0:a:1', output: 1 })).thenFails('stale-completion', 'conflict');
      given(...events).when(cmd('CompleteStep', { stepId: 'a', attempt: 2, scheduledId: 'h0:a:1', output: 1 })).thenFails('stale-completion', 'conflict');
      given(...events).when(cmd('CompleteStep', { stepId: 'a', attempt: 1, scheduledId: 'other', output: 1 })).thenFails('stale-completion', 'conflict');
      given(...history(start(linear))).when(cmd('CompleteStep', { stepId: 'a', attempt: 1, scheduledId: 'h0:a:1', output: 1 })).thenFails('stale-completion', 'conflict');
      given(...events).when(cmd('FailStep', { stepId: 'b', attempt: 0, scheduledId: 'x', error: { kind: 'K', message: 'm', retryable: true }, random: 0 })).thenFails('stale-completion', 'conflict');
      given(...events).when(cmd('StartStep', { stepId: 'a', attempt: 1, scheduledId: 'h0:a:1' })).thenFails('stale-start', 'conflict');
      given(...events).when(cmd('CompleteStep', { stepId: 'zz', attempt: 1, scheduledId: 'x', output: 1 })).thenFails('step-not-found', 'not_found');
    });

    it('refuses commands on an execution that does not exist or has finished', () => {
      given().when(cmd('PauseExecution', {})).thenFails('execution-not-found', 'not_found');
      const cancelled = then(events, cmd('CancelExecution', {}), 'x');
      given(...cancelled).when(complete(events, 'a')).thenFails('execution-finished', 'conflict');
      given(...cancelled).when(cmd('ResumeExecution', {})).thenFails('execution-finished', 'conflict');
    });
  });

  describe('control (B7)', () => {
    const diamond = graph([step('a'), step('b'), step('c')], [edge('a', 'c'), edge('b', 'c')]);

    it('pause lets running steps complete but schedules nothing new until resume', () => {
      let events = history(start(diamond), cmd('PauseExecution', {}));
      expect(events.at(-1)).toEqual({ type: 'ExecutionPaused', data: { executionId, pausedAt: T0 } });
      given(...events).when(cmd('PauseExecution', {})).then([]);
      events = run(events, 'a');
      events = run(events, 'b');
      expect(events.at(-1)?.type).toBe('StepSucceeded');
      given(...events)
        .when(cmd('ResumeExecution', {}))
        .then([{ type: 'ExecutionResumed', data: { executionId, resumedAt: T0 } }, scheduled(diamond, 'c', 'c1')]);
      given(...history(start(diamond))).when(cmd('ResumeExecution', {})).then([]);
    });

    it('a retry timer firing during a pause is refused; resume schedules the retries that fell due', () => {
      const def = graph([step('call', 'http_request', { errorStrategy: 'retry_then_fail' })]);
      let events = then(history(start(def)), startStep(history(start(def)), 'call'), 's1');
      events = then(events, fail(events, 'call'), 'f1'); // due at T0 + 1 s
      events = then(events, cmd('PauseExecution', {}), 'p');
      given(...events).when(cmd('FireRetry', { stepId: 'call', attempt: 2 })).thenFails('execution-paused', 'conflict');
      const resume = (at: string) => decideExecution({ ...cmd('ResumeExecution', {}), metadata: metadataAt('res', at) } as ExecutionCommand, events.reduce(evolveExecution, initialExecutionState()));
      expect(resume(T0).map((e) => e.type)).toEqual(['ExecutionResumed']);
      expect(resume('2026-11-28T10:00:02.000Z')[1]).toEqual(scheduled(def, 'call', 'res', 2, '2026-11-28T10:00:02.000Z'));
    });

    it('cancel ends the run', () => {
      given(...history(start(diamond)))
        .when(cmd('CancelExecution', { reason: 'no longer needed' }))
        .then([{ type: 'ExecutionCancelled', data: { executionId, reason: 'no longer needed', cancelledAt: T0 } }]);
    });
  });

  describe('property: any DAG whose steps all succeed', () => {
    const dagArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        conditions: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        results: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        // Edges only go from a lower to a higher index, so the graph is acyclic.
        // Edges only go from a lower to a higher index, so the graph is acyclic (pairs a == b are dropped).
        edges: fc
          .uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom(undefined, 'true', 'false')), {
            selector: ([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`,
            maxLength: 30,
          })
          .map((pairs) => pairs.filter(([a, b]) => a !== b).map(([a, b, label]) => [Math.min(a, b), Math.max(a, b), label] as const)),
        order: fc.infiniteStream(fc.nat()),
      }),
    );

    /** Step i is a condition where `conditions[i]`; a labelled edge keeps its label only from a condition. */
    const dagDefinition = (n: number, conditions: boolean[], edges: readonly (readonly [number, number, string | undefined])[]) => {
      const steps = Array.from({ length: n }, (_, i) => step(`s${i}`, conditions[i] ? 'condition' : 'transform'));
      const def = graph(
        steps,
        edges.map(([a, b, label]) => ({ ...edge(`s${a}`, `s${b}`), ...(label && conditions[a] ? { label } : {}) })),
      );
      return { steps, def };
    };

    it('ends in ExecutionSucceeded with every step succeeded or skipped once, never scheduled twice', () =>
      fc.assert(
        fc.property(dagArb, ({ n, conditions, results, edges, order }) => {
          const { steps, def } = dagDefinition(n, conditions, edges);
          let events = history(start(def));
          const picks = order[Symbol.iterator]();
          for (let guard = 0; guard < 10 * n + 10; guard++) {
            const state = events.reduce(evolveExecution, initialExecutionState());
            if (state.status !== 'running') break;
            const live = Object.entries(state.steps).filter(([, s]) => s.status === 'scheduled' || s.status === 'running');
            if (live.length === 0) break;
            const [id, run] = live[picks.next().value % live.length];
            const index = Number(id.slice(1));
            events =
              run.status === 'scheduled'
                ? then(events, startStep(events, id), `g${guard}`)
                : then(events, complete(events, id, conditions[index] ? { result: results[index] } : { ok: true }), `g${guard}`);
          }
          expect(events.at(-1)).toMatchObject(succeededRun);
          const final = events.reduce(evolveExecution, initialExecutionState());
          for (const s of steps) expect(['succeeded', 'skipped']).toContain(final.steps[s.id].status);
          const closed = events.filter((e) => e.type === 'StepSucceeded' || e.type === 'StepSkipped').map((e) => (e.data as { stepId: string }).stepId);
          expect([...closed].sort()).toEqual(steps.map((s) => s.id).sort());
          const schedules = events.filter((e) => e.type === 'StepScheduled').map((e) => `${(e.data as { stepId: string }).stepId}#${(e.data as { attempt: number }).attempt}`);
          expect(new Set(schedules).size).toBe(schedules.length);
        }),
        { numRuns: 200 },
      ));

    it('leaves a scheduling alone when another event names its attempt before the success (a start, a loop turn)', () => {
      const def = graph([step('a')]);
      const events = history(start(def));
      const scheduledId = sid(events, 'a');
      const ref = { executionId, stepId: 'a', attempt: 1, scheduledId };
      const write = [
        events[1],
        { type: 'StepStarted', data: { ...ref, startedAt: T0 } },
        { type: 'StepSucceeded', data: { ...ref, output: {}, completedAt: T0 } },
      ] as unknown as EventEnvelope[];
      expect(compactExecution(write).map((e) => e.type)).toEqual(['StepScheduled', 'StepStarted', 'StepSucceeded']);
      expect(compactExecution([write[0], write[2]]).map((e) => e.type)).toEqual(['StepSucceeded']);
    });

    it('folds to the same state when any stretch of the run is compacted as one write (a schedule and its success become one event)', () =>
      fc.assert(
        fc.property(dagArb, fc.nat(), fc.nat(), ({ n, conditions, results, edges, order }, a, b) => {
          const { def } = dagDefinition(n, conditions, edges);
          // Workers report each start with its outcome, as the engine does.
          let events = history(start(def));
          const picks = order[Symbol.iterator]();
          for (let guard = 0; guard < 10 * n + 10; guard++) {
            const state = events.reduce(evolveExecution, initialExecutionState());
            const live = Object.keys(state.steps).filter((id) => state.steps[id].status === 'scheduled');
            if (state.status !== 'running' || live.length === 0) break;
            const id = live[picks.next().value % live.length];
            const index = Number(id.slice(1));
            const report = complete(events, id, conditions[index] ? { result: results[index] } : { ok: true });
            events = then(events, { ...report, data: { ...report.data, startedAt: T0 } } as typeof report, `g${guard}`);
          }
          const [from, to] = [a % (events.length + 1), b % (events.length + 1)].sort((x, y) => x - y);
          const write = events.slice(from, to) as unknown as EventEnvelope[];
          const compacted = compactExecution(write) as unknown as ExecutionDecidedEvent[];
          const ids = (type: string, list: readonly { type: string; data: unknown }[]) => list.filter((e) => e.type === type).map((e) => (e.data as { scheduledId: string }).scheduledId);
          const settledHere = ids('StepSucceeded', write).filter((id) => ids('StepScheduled', write).includes(id));
          expect(compacted).toHaveLength(write.length - settledHere.length);
          expect(ids('StepScheduled', compacted).filter((id) => settledHere.includes(id))).toEqual([]);
          const fold = (list: ExecutionDecidedEvent[]) => list.reduce(evolveExecution, initialExecutionState());
          expect(fold([...events.slice(0, from), ...compacted, ...events.slice(to)])).toEqual(fold(events));
        }),
        { numRuns: 200 },
      ));
  });
});
