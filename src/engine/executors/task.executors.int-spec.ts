import type { Command, TaskCommand } from '@contracts';
import { taskStream } from '@contracts';
import { PostgresEventStore } from '../../adapters/event-store/postgres/postgres.event-store';
import { handleCommand, type CommandOptions } from '../../commands/handle-command';
import { taskDecider } from '../../domain/task/task.decider';
import { loadConfig } from '../../config';
import { buildScope } from '../expressions';
import type { EngineServices, StepContext } from '../executor';
import { migrateReadModels } from '../../../projections/migrations';
import { taskProjector } from '../../../projections/task/task.projector';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { createTaskExecutor } from './create_task.executor';
import { updateTaskExecutor } from './update_task.executor';
import { taskIdFor } from './task-commands';

const WORKSPACE = '3a4b5c6d-7e8f-4a0b-8c2d-3e4f5a6b7c8d';
const OTHER_WORKSPACE = '3a4b5c6d-7e8f-4a0b-8c2d-000000000002';
const MEMBER = '9b8a7c6d-0000-4000-8000-000000000001';
const STRANGER = '9b8a7c6d-0000-4000-8000-000000000002';
const NOW = new Date('2027-05-10T08:30:00.000Z');

let database: TestDatabase;
let store: PostgresEventStore;
let runs = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  store = new PostgresEventStore(database.handle);
  await store.init();
  await migrateReadModels(database.handle.db, database.schema);
  await database.handle.db
    .insertInto('workspace_member')
    .values({ workspace_id: WORKSPACE, user_id: MEMBER, role: 'editor', added_at: NOW.toISOString() })
    .execute();
}, 60_000);
afterAll(async () => database?.close());

/** EngineServices.send as the worker wires it: the one command path, on the real event store. */
function services(options: CommandOptions = {}): EngineServices {
  return {
    config: loadConfig({ NODE_ENV: 'test' }),
    db: database.handle.db,
    now: () => NOW,
    async send(aggregate, command, { commandId, workspaceId, actorId }) {
      if (aggregate !== 'task') throw new Error(`this test wires only the task aggregate, not ${aggregate}`);
      const full = {
        ...command,
        metadata: {
          commandId,
          correlationId: commandId,
          causationId: commandId,
          actor: actorId ? { kind: 'user', id: actorId } : { kind: 'system', id: 'system' },
          workspaceId,
          occurredAt: NOW.toISOString(),
        },
      } as Command as TaskCommand;
      return handleCommand(store, taskDecider, taskStream(full.data.taskId), full, options);
    },
  };
}

/** A step of a fresh execution (its own idempotency key), as the step runner hands it over: config rendered. */
function step(config: Record<string, unknown>, overrides: Partial<StepContext> = {}): StepContext {
  const executionId = `6f1c2a52-8d7e-4b1a-9c3f-${String(++runs).padStart(12, '0')}`;
  const stepId = 'make_task';
  return {
    executionId,
    workflowId: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
    workspaceId: WORKSPACE,
    stepId,
    attempt: 1,
    scheduledId: `${executionId}:${stepId}:1`,
    idempotencyKey: `${executionId}:${stepId}`,
    config,
    scope: buildScope({ input: {}, vars: {}, steps: {}, execution: { id: executionId, workflowId: 'w', version: 1, startedAt: NOW.toISOString() } }),
    evaluate: async () => null,
    signal: new AbortController().signal,
    startedBy: MEMBER,
    ancestry: [],
    services: services(),
    ...overrides,
  };
}

async function eventsOf(taskId: string) {
  return store.readStream(taskStream(taskId));
}

/** Applies the task's stream to the read model, as the projection runner would. */
async function project(taskId: string) {
  const events = await eventsOf(taskId);
  await database.handle.db.transaction().execute((trx) => taskProjector.apply(trx, events));
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; kind: string; retryable: boolean; message: string };
  }
  throw new Error('expected the step to fail');
}

describe('create_task and update_task executors, on the real command path', () => {
  it('create_task run twice with the same idempotency key makes one task, and answers the same both times', async () => {
    const ctx = step({ title: 'Welcome {{ name }}', priority: 'high', assignee: MEMBER, dueInDays: 3, labels: ['onboarding'] });
    ctx.config.title = 'Welcome Ada'; // rendered
    const first = await createTaskExecutor.execute(ctx);
    // Redelivered to another worker: same key, a later clock, a fresh state cache (a restarted process).
    const again = await createTaskExecutor.execute({ ...ctx, attempt: 2, services: { ...services({ cache: false }), now: () => new Date(NOW.getTime() + 60_000) } });
    const taskId = taskIdFor(ctx);
    expect(first).toEqual({
      output: { taskId, title: 'Welcome Ada', priority: 'high', status: 'open', assignee: MEMBER, dueAt: '2027-05-13T08:30:00.000Z' },
    });
    expect(again).toEqual(first);
    const events = await eventsOf(taskId);
    expect(events.map((e) => e.type)).toEqual(['TaskCreated']);
    expect(events[0].metadata).toMatchObject({ workspaceId: WORKSPACE, actor: { kind: 'user', id: MEMBER } });

    await project(taskId);
    const row = await database.handle.db.selectFrom('task').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ workspace_id: WORKSPACE, title: 'Welcome Ada', source_execution_id: ctx.executionId, source_step_id: 'make_task', tags: ['onboarding'] });
    const rows = await database.handle.db.selectFrom('task').select('task_id').where('source_execution_id', '=', ctx.executionId).execute();
    expect(rows).toHaveLength(1);
  });

  it('two steps (two keys) make two tasks', async () => {
    const a = await createTaskExecutor.execute(step({ title: 'A' }));
    const b = await createTaskExecutor.execute(step({ title: 'A' }));
    expect((a as { output: { taskId: string } }).output.taskId).not.toBe((b as { output: { taskId: string } }).output.taskId);
  });

  it('fails for good, appending nothing, on a stranger as assignee, a blank title or an impossible due date', async () => {
    const stranger = step({ title: 'T', assignee: STRANGER });
    expect(await failureOf(createTaskExecutor.execute(stranger))).toMatchObject({ kind: 'UserNotFound', retryable: false });
    const blank = step({ title: '   ' });
    expect(await failureOf(createTaskExecutor.execute(blank))).toMatchObject({ kind: 'InvalidConfig', retryable: false, message: 'A task needs a title' });
    const badDate = step({ title: 'T', dueAt: '2027-02-30' });
    expect(await failureOf(createTaskExecutor.execute(badDate))).toMatchObject({ kind: 'InvalidConfig', retryable: false });
    const notAnId = step({ title: 'T', assignee: 'ada@example.com' });
    expect(await failureOf(createTaskExecutor.execute(notAnId))).toMatchObject({ kind: 'InvalidConfig', retryable: false });
    for (const ctx of [stranger, blank, badDate, notAnId]) expect(await eventsOf(taskIdFor(ctx))).toEqual([]);
  });

  it('update_task run twice with the same key records one change, and names the changed fields', async () => {
    const created = step({ title: 'Review', labels: ['legal'] });
    const { taskId } = ((await createTaskExecutor.execute(created)) as { output: { taskId: string } }).output;
    const ctx = step({ taskId, changes: { status: 'done', assignee: MEMBER, addLabels: ['legal', 'q2'] }, comment: 'Signed' }, { stepId: 'close_task' });
    const first = await updateTaskExecutor.execute(ctx);
    const again = await updateTaskExecutor.execute({ ...ctx, attempt: 2, services: services({ cache: false }) });
    expect(first).toEqual({ output: { taskId, changed: ['status', 'assignee', 'labels'], status: 'done' } });
    expect(again).toEqual(first);
    const events = await eventsOf(taskId);
    expect(events.map((e) => e.type)).toEqual(['TaskCreated', 'TaskUpdated']);
    expect(events[1].data).toMatchObject({ changes: { status: 'done', assigneeId: MEMBER, labels: ['legal', 'q2'] }, comment: 'Signed' });
  });

  it('update_task that changes nothing records nothing and answers the status the task has', async () => {
    const { taskId } = ((await createTaskExecutor.execute(step({ title: 'Same' }))) as { output: { taskId: string } }).output;
    await project(taskId);
    const result = await updateTaskExecutor.execute(step({ taskId, changes: { title: 'Same', priority: 'medium' } }));
    expect(result).toEqual({ output: { taskId, changed: [], status: 'open' } });
    expect((await eventsOf(taskId)).map((e) => e.type)).toEqual(['TaskCreated']);
  });

  it('update_task knows no task of another workspace, nor one that does not exist', async () => {
    const { taskId } = ((await createTaskExecutor.execute(step({ title: 'Ours' }))) as { output: { taskId: string } }).output;
    const elsewhere = step({ taskId, changes: { status: 'done' } }, { workspaceId: OTHER_WORKSPACE });
    expect(await failureOf(updateTaskExecutor.execute(elsewhere))).toMatchObject({ kind: 'TaskNotFound', retryable: false });
    const missing = step({ taskId: '00000000-0000-4000-8000-000000000000', changes: { status: 'done' } });
    expect(await failureOf(updateTaskExecutor.execute(missing))).toMatchObject({ kind: 'TaskNotFound', retryable: false });
    expect((await eventsOf(taskId)).map((e) => e.type)).toEqual(['TaskCreated']);
  });
});
