import type { App } from 'supertest/types';
import { executionStream } from '@contracts';
import { as, startTestApp, type TestApp } from './support/test-app';
import { finished, publishedWorkflow } from './support/executions';

type Api = ReturnType<typeof as>;

const step = (id: string, type: string, config: object, extra: object = {}) => ({ id, name: id, type, config, ...extra });

describe('executions (B1, B2, B4, G2)', () => {
  let t: TestApp;
  let api: Api;

  beforeAll(async () => {
    t = await startTestApp();
    api = as(t.app.getHttpServer() as App, await t.login());
  }, 120_000);
  afterAll(async () => t?.close());

  it('runs transform then a condition branch, skips the other, and records outputs, timeline and replay', async () => {
    const workflowId = await publishedWorkflow(api, {
      variables: [{ name: 'amount', type: 'number', required: true }],
      steps: [
        step('calc', 'transform', { assignments: { doubled: 'amount * 2', who: 'input.customer' } }),
        step('big', 'condition', { expression: 'steps.calc.output.doubled > 100' }),
        step('yes', 'transform', { assignments: { verdict: '"big " & steps.calc.output.who' } }),
        step('no', 'transform', { assignments: { verdict: '"small"' } }),
      ],
      edges: [
        { id: 'e1', from: 'calc', to: 'big' },
        { id: 'e2', from: 'big', to: 'yes', label: 'true' },
        { id: 'e3', from: 'big', to: 'no', label: 'false' },
      ],
    });
    const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: { amount: 70, customer: 'Ada' } });
    expect(started.status).toBe(202);
    const run = await finished(api, started.body.executionId);
    expect(run.status).toBe('succeeded');
    expect(run.trigger.kind).toBe('manual');
    const byStep = Object.fromEntries(run.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byStep.calc.output).toEqual({ doubled: 140, who: 'Ada' });
    expect(byStep.big.output).toEqual({ result: true });
    expect(byStep.yes.output).toEqual({ verdict: 'big Ada' });
    expect(byStep.no.status).toBe('skipped');
    expect(run.output).toEqual({ yes: { verdict: 'big Ada' } });
    // Each attempt that ran shows its action, input, when it was scheduled and started and where, though
    // all of it was recorded on its outcome.
    for (const id of ['calc', 'big', 'yes']) {
      expect(byStep[id]).toMatchObject({ actionType: expect.any(String), input: expect.any(Object), scheduledAt: expect.any(String), startedAt: expect.any(String), workerId: expect.any(String), durationMs: expect.any(Number) });
      expect(Date.parse(byStep[id].startedAt)).toBeLessThanOrEqual(Date.parse(byStep[id].finishedAt));
    }
    // Pure steps run while the command that scheduled them is handled: the whole run is one append.
    const stored = await t.infra.store.readStream(executionStream(run.id));
    expect(new Set(stored.map((e) => `${e.position.transactionId}`)).size).toBe(1);

    const timeline = await api.get(`/api/workflows/executions/${run.id}/timeline`).expect(200);
    const types = timeline.body.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toContain('StepSkipped');
    // Pure steps run inline: each is one StepSucceeded carrying its scheduling and start.
    expect(types).not.toContain('StepStarted');
    expect(types).not.toContain('StepScheduled');
    expect(types.filter((type: string) => type === 'StepSucceeded')).toHaveLength(3);
    // Replay: after the first step's completion only calc has an output.
    const calcDone = timeline.body.events.find((e: { type: string; data: { stepId: string } }) => e.type === 'StepSucceeded' && e.data.stepId === 'calc').number;
    const at = await api.get(`/api/workflows/executions/${run.id}/timeline?at=${calcDone}`).expect(200);
    expect(at.body.steps.calc).toMatchObject({ status: 'succeeded', output: { doubled: 140, who: 'Ada' } });
    expect(at.body.steps.yes.status).toBe('pending');
    expect(at.body.status).toBe('running');
  });

  it('runs the latest published version, the one asked for, and nothing once archived (versions remembered in memory never go stale)', async () => {
    const workflowId = await publishedWorkflow(api, { steps: [step('say', 'transform', { assignments: { said: '"one"' } })] });
    const outputOf = async (body: object) => {
      const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {}, ...body }).expect(202);
      const run = await finished(api, started.body.executionId);
      return [started.body.version, run.steps[0].output.said];
    };
    expect(await outputOf({})).toEqual([1, 'one']);
    const draft = await api.get(`/api/workflows/${workflowId}`).expect(200);
    await api.put(`/api/workflows/${workflowId}/steps/say/config`).set('If-Match', `"${draft.body.revision}"`).send({ config: { assignments: { said: '"two"' } } }).expect(200);
    expect((await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'v2' })).status).toBe(201);
    expect(await outputOf({})).toEqual([2, 'two']);
    expect(await outputOf({ version: 1 })).toEqual([1, 'one']);
    expect(await outputOf({})).toEqual([2, 'two']);
    // Straight after the answers, with no wait for the read models: archive refuses runs, restore allows them again.
    await api.delete(`/api/workflows/${workflowId}`).expect(200);
    const refused = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    await api.post(`/api/workflows/${workflowId}/restore`).expect(200);
    expect(await outputOf({})).toEqual([2, 'two']);
  });

  it('refuses input that breaks the variable types with a 422 and starts nothing', async () => {
    const workflowId = await publishedWorkflow(api, {
      variables: [{ name: 'amount', type: 'number', required: true }],
      steps: [step('calc', 'transform', { assignments: { x: 'amount' } })],
    });
    const res = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: { amount: 'lots' } });
    expect(res.status).toBe(422);
    expect(res.body.type).toMatch(/invalid-input/);
    const missing = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} });
    expect(missing.status).toBe(422);
    const list = await api.get(`/api/workflows/executions?workflowId=${workflowId}`).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('refuses a malformed execute body with a 400 problem naming what is wrong, and starts nothing', async () => {
    const workflowId = await publishedWorkflow(api, { steps: [step('calc', 'transform', { assignments: { x: '1' } })] });
    const cases: [unknown, string][] = [
      [{ input: [1] }, 'input must be an object'],
      [{ input: 'text' }, 'input must be an object'],
      [{ version: 0 }, 'version must not be less than 1'],
      [{ version: 1.5 }, 'version must be an integer number'],
      [{ version: '1' }, 'version must be an integer number'],
      [{ timeoutMs: 5 }, 'timeoutMs must not be less than 100'],
      [{ timeoutMs: 31 * 86_400_000 }, 'timeoutMs must not be greater than 2592000000'],
      [{ input: {}, surprise: true }, 'property surprise should not exist'],
      [[{ input: {} }], 'the body must be a JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await api.post(`/api/workflows/${workflowId}/execute`).send(body as object);
      expect({ body, status: res.status, type: res.headers['content-type'] }).toEqual({ body, status: 400, type: expect.stringContaining('application/problem+json') });
      expect({ body, errors: res.body.errors }).toEqual({ body, errors: expect.arrayContaining([message]) });
    }
    // What the checks let through still works: null as absent, no body at all, a version and a timeout in range.
    const accepted = [
      await api.post(`/api/workflows/${workflowId}/execute`).send({ input: null, version: null }).expect(202),
      await api.post(`/api/workflows/${workflowId}/execute`).expect(202),
      await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {}, version: 1, timeoutMs: 60_000 }).expect(202),
    ];
    for (const res of accepted) expect((await finished(api, res.body.executionId)).status).toBe('succeeded');
    const list = await api.get(`/api/workflows/executions?workflowId=${workflowId}`).expect(200);
    expect(list.body.items).toHaveLength(accepted.length);
  });

  it('carries the request’s correlation id (given in x-correlation-id, else one made for the request) on every event of the run', async () => {
    // (A timer's firing is a cause of its own, with its own correlation id: no delay here.)
    const workflowId = await publishedWorkflow(api, { steps: [step('calc', 'transform', { assignments: { x: '1' } }), step('check', 'condition', { expression: 'steps.calc.output.x = 1' })], edges: [{ id: 'e1', from: 'calc', to: 'check' }] });
    const correlationsOf = async (executionId: string) => {
      await finished(api, executionId);
      return new Set((await t.infra.store.readStream(executionStream(executionId))).map((e) => e.metadata.correlationId));
    };
    const given = await api.post(`/api/workflows/${workflowId}/execute`).set('x-correlation-id', 'order-4711').send({ input: {} }).expect(202);
    expect(await correlationsOf(given.body.executionId)).toEqual(new Set(['order-4711']));
    const made = await Promise.all([1, 2].map(async () => correlationsOf((await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} }).expect(202)).body.executionId)));
    for (const ids of made) expect(ids.size).toBe(1);
    expect([...made[0]][0]).not.toBe([...made[1]][0]);
  });

  it('fails a step whose expression throws, with a readable error in the timeline, and never retries it', async () => {
    const workflowId = await publishedWorkflow(api, { steps: [step('bad', 'transform', { assignments: { x: '$notAFunction(1)' } }, { errorStrategy: 'retry_then_fail' })] });
    const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} }).expect(202);
    const run = await finished(api, started.body.executionId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'ExpressionError', stepId: 'bad' });
    expect(run.steps.filter((s: { stepId: string }) => s.stepId === 'bad')).toHaveLength(1);
  });

  it('runs two 300 ms delays in parallel branches in well under 600 ms', async () => {
    const workflowId = await publishedWorkflow(api, {
      steps: [step('a', 'delay', { durationMs: 300 }), step('b', 'delay', { durationMs: 300 }), step('join', 'transform', { assignments: { ok: 'true' } })],
      edges: [
        { id: 'e1', from: 'a', to: 'join' },
        { id: 'e2', from: 'b', to: 'join' },
      ],
    });
    const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} }).expect(202);
    const run = await finished(api, started.body.executionId);
    expect(run.status).toBe('succeeded');
    const delays = run.steps.filter((s: { stepId: string }) => s.stepId === 'a' || s.stepId === 'b');
    const firstStart = Math.min(...delays.map((s: { scheduledAt: string }) => Date.parse(s.scheduledAt)));
    const lastEnd = Math.max(...delays.map((s: { finishedAt: string }) => Date.parse(s.finishedAt)));
    console.log(`two parallel 300 ms delays: ${lastEnd - firstStart} ms from the first scheduling to the last end`);
    expect(lastEnd - firstStart).toBeGreaterThanOrEqual(300);
    expect(lastEnd - firstStart).toBeLessThan(550);
  });
});
