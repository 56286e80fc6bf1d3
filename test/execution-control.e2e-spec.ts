import { request as httpRequest } from 'node:http';
import type { App } from 'supertest/types';
import { startHttpSink, type HttpSink } from '../src/engine/executors/testing/http-sink';
import { as, startTestApp, type TestApp } from './support/test-app';
import { eventually, finished, publishedWorkflow } from './support/executions';
import { ProjectionsService } from '../src/runtime/projections.service';
import { executionProjector } from '../projections/execution/execution.projector';
import { approvalProjector } from '../projections/approval/approval.projector';
import { executionTimerProjector } from '../projections/execution-timer/execution-timer.projector';
import { EngineService } from '../src/runtime/engine.service';
import type { StepScheduledData } from '@contracts';

type Api = ReturnType<typeof as>;
const step = (id: string, type: string, config: object, extra: object = {}) => ({ id, name: id, type, config, ...extra });
const edge = (from: string, to: string, label?: string) => ({ id: `${from}-${to}`, from, to, ...(label ? { label } : {}) });

/** SPEC B5-B8, G3: retries, error strategies, control, approvals, sub-workflows, bulk runs and forks, through the API. */
describe('execution control', () => {
  let t: TestApp;
  let api: Api;
  let ownerId: string;
  let bearer: string;
  let sink: HttpSink;
  /** Per path: how many times to answer 503 before answering 200. */
  const failFirst = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.login();
    api = as(t.app.getHttpServer() as App, token);
    bearer = `Bearer ${token}`;
    ownerId = (await api.get('/api/auth/me').expect(200)).body.id;
    sink = await startHttpSink((req, res) => {
      const left = failFirst.get(req.path) ?? 0;
      if (left > 0) failFirst.set(req.path, left - 1);
      res.statusCode = left > 0 ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.path, key: req.headers['idempotency-key'] }));
    });
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await t?.close();
  });

  const run = async (workflowId: string, input: object = {}) => (await api.post(`/api/workflows/${workflowId}/execute`).send({ input }).expect(202)).body.executionId as string;
  const listening = async () => {
    const server = t.app.getHttpServer() as import('node:http').Server;
    const address = server.address() as import('node:net').AddressInfo | null;
    return address ?? new Promise<import('node:net').AddressInfo>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address() as import('node:net').AddressInfo)));
  };
  /** The run's live SSE events, read until one of the given type arrives (then the stream is closed). */
  const liveEventsUntil = async (executionId: string, type: string) => {
    const { port } = await listening();
    return new Promise<{ number: number; type: string; position: string }[]>((resolve, reject) => {
      const events: { number: number; type: string; position: string }[] = [];
      const req = httpRequest({ host: '127.0.0.1', port, path: `/api/workflows/executions/${executionId}/events`, headers: { authorization: bearer, accept: 'text/event-stream' } }, (res) => {
        let buffered = '';
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const messages = buffered.split('\n\n');
          buffered = messages.pop()!;
          for (const message of messages) {
            const data = message.split('\n').find((line) => line.startsWith('data: '));
            if (!data) continue;
            events.push(JSON.parse(data.slice('data: '.length)));
            if (events.at(-1)!.type === type) {
              req.destroy();
              resolve(events);
            }
          }
        });
      });
      req.on('error', (error) => (events.at(-1)?.type === type ? undefined : reject(error)));
      req.setTimeout(20_000, () => req.destroy(new Error(`no ${type} in 20 s`)));
      req.end();
    });
  };
  const callSink = (id: string, path: string, extra: object = {}) => step(id, 'http_request', { method: 'POST', url: `${sink.url}${path}`, body: { n: 1 } }, extra);
  const retry = { maxAttempts: 3, initialIntervalMs: 200, backoffCoefficient: 2, maxIntervalMs: 5000, jitter: 0.2, nonRetryableErrors: [] };

  it('retries a failing call under the policy, at intervals within the jitter bounds, with one idempotency key', async () => {
    failFirst.set('/flaky', 2);
    const workflowId = await publishedWorkflow(api, { steps: [callSink('call', '/flaky', { errorStrategy: 'retry_then_fail', retryPolicy: retry })] });
    const detail = await finished(api, await run(workflowId));
    expect(detail.status).toBe('succeeded');
    const attempts = detail.steps.filter((s: { stepId: string }) => s.stepId === 'call');
    expect(attempts.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    const calls = sink.received.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['idempotency-key'])).size).toBe(1);
    // Attempt n+1 is scheduled initial * 2^(n-1) * (1 - jitter * r) after attempt n failed.
    for (const [n, base] of [[1, 200], [2, 400]] as const) {
      const gap = Date.parse(attempts[n].scheduledAt) - Date.parse(attempts[n - 1].finishedAt);
      expect(gap).toBeGreaterThanOrEqual(base * 0.8 - 5);
      expect(gap).toBeLessThan(base + 400);
    }
  });

  it('runs a step on the state this process cached when it scheduled it (no read), and reads the stream for a redelivered message, whose attempt it then drops', async () => {
    const reads = jest.spyOn(t.infra.store, 'readStream');
    try {
      const workflowId = await publishedWorkflow(api, { steps: [callSink('call', '/cached')] });
      const executionId = await run(workflowId);
      expect((await finished(api, executionId)).status).toBe('succeeded');
      // Full reads of the run's stream (the access check reads its first event only).
      const runReads = () => reads.mock.calls.filter(([stream, options]) => stream === `execution-${executionId}` && options?.limit !== 1).length;
      expect(runReads()).toBe(0);

      const scheduled = (await t.infra.store.readStream(`execution-${executionId}`)).find((e) => e.type === 'StepScheduled')!;
      reads.mockClear();
      const runner = t.app.get(EngineService).runner;
      // A first delivery of a finished attempt: the cache knows it finished.
      expect(await runner.run(scheduled.data as StepScheduledData, executionId, scheduled.revision)).toBe('stale');
      expect(runReads()).toBe(0);
      // Delivered again: the stream is read (another process may have run it), and the attempt is dropped.
      expect(await runner.run(scheduled.data as StepScheduledData, executionId, scheduled.revision, { redelivered: true })).toBe('stale');
      expect(runReads()).toBe(1);
      expect(sink.received.filter((r) => r.path === '/cached')).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
  });

  it('stops at once on a non-retryable error', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [step('call', 'http_request', { method: 'GET', url: `${sink.url}/x`, responseMapping: { y: '$notAFunction()' } }, { errorStrategy: 'retry_then_fail', retryPolicy: retry })],
    });
    const detail = await finished(api, await run(workflowId));
    expect(detail.status).toBe('failed');
    expect(detail.steps.filter((s: { stepId: string }) => s.stepId === 'call')).toHaveLength(1);
  });

  it('takes the error branch when a step fails for good, and continue carries on with null', async () => {
    failFirst.set('/down', 100);
    const workflowId = await publishedWorkflow(api, {
      steps: [
        callSink('call', '/down', { errorStrategy: 'error_branch', retryPolicy: { ...retry, maxAttempts: 1 } }),
        step('recover', 'transform', { assignments: { recovered: 'true' } }),
        step('happy', 'transform', { assignments: { happy: 'true' } }),
        callSink('optional', '/down', { errorStrategy: 'continue', retryPolicy: { ...retry, maxAttempts: 1 } }),
      ],
      edges: [edge('call', 'recover', 'error'), edge('call', 'happy'), edge('recover', 'optional')],
    });
    const detail = await finished(api, await run(workflowId));
    expect(detail.status).toBe('succeeded');
    const status = Object.fromEntries(detail.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status]));
    expect(status).toMatchObject({ call: 'failed', recover: 'succeeded', happy: 'skipped', optional: 'failed' });
    expect(detail.output).toEqual({ optional: null });
  });

  it('waits for an approval, continues along "approved" when the approver approves, and refuses a second answer', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [
        step('ask', 'approval', { approvers: { userIds: [ownerId] }, message: 'Pay {{ input.amount }}?', title: 'Payment' }),
        step('pay', 'transform', { assignments: { paid: 'true' } }),
        step('refuse', 'transform', { assignments: { paid: 'false' } }),
      ],
      edges: [edge('ask', 'pay', 'approved'), edge('ask', 'refuse', 'rejected')],
    });
    const executionId = await run(workflowId, { amount: 42 });
    const approval = await eventually(async () => {
      const items = (await api.get('/api/approvals?mine=1').expect(200)).body.items as { id: string; executionId: string; message: string }[];
      return items.find((a) => a.executionId === executionId);
    }, 'the approval in my inbox');
    expect(approval.message).toBe('Pay 42?');
    await api.post(`/api/approvals/${approval.id}/decision`).send({ decision: 'approve', comment: 'fine' }).expect(202);
    const detail = await finished(api, executionId);
    expect(detail.status).toBe('succeeded');
    const byStep = Object.fromEntries(detail.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byStep.ask.output).toMatchObject({ decision: 'approved', decidedBy: ownerId, comment: 'fine' });
    expect(byStep.pay.status).toBe('succeeded');
    expect(byStep.refuse.status).toBe('skipped');
    const again = await api.post(`/api/approvals/${approval.id}/decision`).send({ decision: 'reject' });
    expect(again.status).toBe(409);
  });

  it('streams a run live with each event\'s log position, and reads the detail as of it even while the projections lag', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [step('pause', 'delay', { durationMs: 1000 }), step('ask', 'approval', { approvers: { userIds: [ownerId] }, message: 'Wait here' })],
      edges: [edge('pause', 'ask')],
    });
    const executionId = await run(workflowId, {});
    await eventually(async () => ((await api.get(`/api/workflows/executions/${executionId}`)).body.steps?.some((s: { status: string }) => s.status === 'waiting') ? true : undefined), 'the delay to wait');
    const { runner } = t.app.get(ProjectionsService);
    await runner.stop(); // from here the read models fall behind the log until they start again
    let detail: Promise<{ status: number; body: { steps: { stepId: string; status: string }[] } }> | undefined;
    try {
      const live = await liveEventsUntil(executionId, 'ApprovalRequested');
      const positions = live.map((e) => e.position.split('.').map(BigInt));
      expect(positions.every(([tx, gp], i) => i === 0 || tx > positions[i - 1][0] || (tx === positions[i - 1][0] && gp > positions[i - 1][1]))).toBe(true);
      // Asked as of the last live event, the detail waits for the projection instead of answering what it had.
      detail = api.get(`/api/workflows/executions/${executionId}?minPosition=${live.at(-1)!.position}`).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await runner.start();
    }
    const answered = await detail!;
    expect(answered.status).toBe(200);
    expect(answered.body.steps.find((s) => s.stepId === 'ask')?.status).toBe('waiting');
    expect((await api.get(`/api/workflows/executions/${executionId}?minPosition=soon`)).status).toBe(400);
  });

  it('cancels a waiting run (nothing more is scheduled) and refuses control of a finished one with 409', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [step('wait', 'delay', { durationMs: 60_000 }), step('after', 'transform', { assignments: { x: '1' } })],
      edges: [edge('wait', 'after')],
    });
    const executionId = await run(workflowId);
    await eventually(async () => ((await api.get(`/api/workflows/executions/${executionId}`)).body.steps?.[0]?.status === 'waiting' ? true : undefined), 'the delay to wait');
    await api.post(`/api/workflows/executions/${executionId}/control`).send({ action: 'cancel', reason: 'not needed' }).expect(202);
    const detail = await finished(api, executionId);
    expect(detail.status).toBe('cancelled');
    expect(detail.steps.map((s: { stepId: string }) => s.stepId)).not.toContain('after');
    const late = await api.post(`/api/workflows/executions/${executionId}/control`).send({ action: 'resume' });
    expect(late.status).toBe(409);
    const bad = await api.post(`/api/workflows/executions/${executionId}/control`).send({ action: 'explode' });
    expect(bad.status).toBe(400);
  });

  it('retries a failed run from the failed step, reusing the outputs before it', async () => {
    failFirst.set('/later', 1);
    const workflowId = await publishedWorkflow(api, {
      steps: [step('first', 'transform', { assignments: { at: '$millis()' } }), callSink('call', '/later')],
      edges: [edge('first', 'call')],
    });
    const executionId = await run(workflowId);
    const failedRun = await finished(api, executionId);
    expect(failedRun.status).toBe('failed');
    const firstOutput = failedRun.steps.find((s: { stepId: string }) => s.stepId === 'first').output;
    await api.post(`/api/workflows/executions/${executionId}/control`).send({ action: 'retry' }).expect(202);
    const retried = await eventually(async () => {
      const d = (await api.get(`/api/workflows/executions/${executionId}`)).body;
      return d.status === 'succeeded' ? d : undefined;
    }, 'the retried run to succeed');
    const firsts = retried.steps.filter((s: { stepId: string }) => s.stepId === 'first');
    expect(firsts).toHaveLength(1);
    expect(firsts[0].output).toEqual(firstOutput);
    expect(retried.steps.filter((s: { stepId: string }) => s.stepId === 'call').map((s: { status: string }) => s.status)).toEqual(['failed', 'succeeded']);
  });

  it('forks a run from a step with edited input, keeping the outputs before that step', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [step('first', 'transform', { assignments: { at: '$millis()' } }), step('second', 'transform', { assignments: { who: 'input.name' } })],
      edges: [edge('first', 'second')],
    });
    const original = await finished(api, await run(workflowId, { name: 'Ada' }));
    const fork = await api.post(`/api/workflows/executions/${original.id}/fork`).send({ stepId: 'second', input: { name: 'Grace' } }).expect(202);
    expect(fork.body.reusedSteps).toEqual(['first']);
    const forked = await finished(api, fork.body.executionId);
    const byStep = Object.fromEntries(forked.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byStep.first.status).toBe('reused');
    expect(byStep.first.output).toEqual(original.steps.find((s: { stepId: string }) => s.stepId === 'first').output);
    expect(byStep.second.output).toEqual({ who: 'Grace' });
    expect(forked.forkedFromExecutionId).toBe(original.id);
  });

  it('runs a sub-workflow and outputs its result; a workflow that calls itself fails with a readable error', async () => {
    const child = await publishedWorkflow(api, { steps: [step('greet', 'transform', { assignments: { greeting: '"hi " & input.name' } })] });
    const parent = await publishedWorkflow(api, { steps: [step('call', 'sub_workflow', { workflowId: child, input: { name: '{{ input.name }}' } })] });
    const detail = await finished(api, await run(parent, { name: 'Ada' }));
    expect(detail.status).toBe('succeeded');
    expect(detail.steps[0].output).toMatchObject({ status: 'succeeded', output: { greet: { greeting: 'hi Ada' } } });

    const selfCalling = (await api.post('/api/workflows').send({ name: 'Ouroboros' }).expect(201)).body.id as string;
    await api.post(`/api/workflows/${selfCalling}/steps`).send(step('again', 'sub_workflow', { workflowId: selfCalling })).expect(201);
    await api.post(`/api/workflows/${selfCalling}/versions`).send({ note: 'v1' }).expect(201);
    const loop = await finished(api, await run(selfCalling));
    expect(loop.status).toBe('failed');
    expect(loop.error).toMatchObject({ kind: 'SubWorkflowCycle' });
  });

  it('loops over a list: the body runs once per item with the item in scope and its own idempotency key, then continues', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [
        step('each', 'loop', { items: 'input.customers', itemVariable: 'customer' }),
        step('greet', 'transform', { assignments: { line: '"hello " & customer.name & " #" & $string(index)' } }),
        step('post', 'http_request', { method: 'POST', url: `${sink.url}/greet`, body: { line: '{{ steps.greet.output.line }}' } }),
        step('after', 'transform', { assignments: { total: '$count(input.customers)' } }),
      ],
      edges: [edge('each', 'greet', 'each'), edge('greet', 'post'), edge('post', 'each'), edge('each', 'after', 'done')],
    });
    const detail = await finished(api, await run(workflowId, { customers: [{ name: 'Ada' }, { name: 'Grace' }, { name: 'Linus' }] }));
    expect(detail.status).toBe('succeeded');
    const greets = detail.steps.filter((s: { stepId: string }) => s.stepId === 'greet');
    expect(greets.map((g: { output: { line: string } }) => g.output.line)).toEqual(['hello Ada #0', 'hello Grace #1', 'hello Linus #2']);
    expect(greets.map((g: { iteration: string }) => g.iteration)).toEqual(['0', '1', '2']);
    const calls = sink.received.filter((r) => r.path === '/greet');
    expect(calls.map((c) => JSON.parse(c.body).line)).toEqual(['hello Ada #0', 'hello Grace #1', 'hello Linus #2']);
    expect(new Set(calls.map((c) => c.headers['idempotency-key'])).size).toBe(3);
    const loop = detail.steps.find((s: { stepId: string }) => s.stepId === 'each');
    expect(loop.output).toEqual({ iterations: 3 });
    expect(detail.steps.find((s: { stepId: string }) => s.stepId === 'after').output).toEqual({ total: 3 });
  });

  it('bulk-executes many inputs in one call and streams their progress over SSE to the end', async () => {
    const workflowId = await publishedWorkflow(api, { variables: [{ name: 'n', type: 'number', required: true }], steps: [step('sq', 'transform', { assignments: { sq: 'n * n' } })] });
    const bad = await api.post('/api/workflows/bulk/execute').send({ workflowId, inputs: [{ n: 1 }, { n: 'two' }] });
    expect(bad.status).toBe(422);
    const server = await listening();
    const body = JSON.stringify({ workflowId, inputs: Array.from({ length: 20 }, (_, n) => ({ n })) });
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: server.port, path: '/api/workflows/bulk/execute', method: 'POST', headers: { authorization: bearer, accept: 'text/event-stream', 'content-type': 'application/json' } },
        (res) => {
          let all = '';
          res.on('data', (c: Buffer) => (all += c.toString('utf8')));
          res.on('end', () => resolve(all));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(text).toContain('event: started');
    const done = text.split('\n\n').find((chunk) => chunk.startsWith('event: done'));
    expect(done).toBeDefined();
    expect(JSON.parse(done!.split('data: ')[1])).toMatchObject({ total: 20, succeeded: 20 });
  });

  it('rebuilds the execution, step, approval and timer read models to exactly the rows the live projections built', async () => {
    const { db } = t.infra.database;
    const snapshot = async () => ({
      runs: await db.selectFrom('execution').selectAll().orderBy('execution_id').execute(),
      steps: await db.selectFrom('execution_step').selectAll().orderBy('execution_id').orderBy('scheduled_id').execute(),
      approvals: await db.selectFrom('approval').selectAll().orderBy('approval_id').execute(),
      timers: await db.selectFrom('execution_timer').selectAll().orderBy('timer_key').execute(),
    });
    // The live projections have settled when two snapshots a moment apart agree.
    let live = await snapshot();
    for (let tries = 0; tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 300));
      const again = await snapshot();
      if (JSON.stringify(again) === JSON.stringify(live)) break;
      live = again;
    }
    expect(live.runs.length).toBeGreaterThan(10);
    const { runner } = t.app.get(ProjectionsService);
    for (const projector of [executionProjector, approvalProjector, executionTimerProjector]) await runner.rebuild(projector);
    expect(await snapshot()).toEqual(live);
  });
});
