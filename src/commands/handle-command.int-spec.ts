import { randomUUID } from 'node:crypto';
import type { WorkflowCommand } from '@contracts';
import { workflowStream } from '@contracts';
import { PostgresEventStore } from '../adapters/event-store/postgres/postgres.event-store';
import { DomainError } from '../domain/decider';
import { workflowDecider } from '../domain/workflow/workflow.decider';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { PreconditionFailed, SCHEMA_VERSION, deterministicId, handleCommand } from './handle-command';

const UUID_V5_LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let database: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  store = new PostgresEventStore(database.handle);
  await store.init();
});
afterAll(async () => database?.close());

/** A command as the API would build it: ids and the clock come in the metadata. */
function command<T extends WorkflowCommand['type']>(
  type: T,
  data: Extract<WorkflowCommand, { type: T }>['data'],
  commandId: string = randomUUID(),
): Extract<WorkflowCommand, { type: T }> {
  return {
    type,
    data,
    metadata: {
      commandId,
      correlationId: `corr-${commandId}`,
      causationId: `request-${commandId}`,
      actor: { kind: 'user', id: 'u1', name: 'Ada' },
      workspaceId: 'ws1',
      occurredAt: '2026-11-28T10:00:00.000Z',
    },
  } as Extract<WorkflowCommand, { type: T }>;
}

/** A fresh workflow stream, optionally already created. */
async function givenWorkflow(created = true) {
  const workflowId = randomUUID();
  const streamId = workflowStream(workflowId);
  if (created) {
    await handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'Onboarding' }));
  }
  return { workflowId, streamId };
}

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to fail, but it succeeded');
}

describe('handleCommand on PGlite', () => {
  it('given an empty stream, when CreateWorkflow is handled, then the decided event is stored with its metadata stamped', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const create = command('CreateWorkflow', { workflowId, name: '  Onboarding  ', description: 'New hires' });

    const result = await handleCommand(store, workflowDecider, streamId, create);

    expect(result.revision).toBe(0n);
    expect(result.position).toBeDefined();
    const stored = await store.readStream(streamId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      streamId,
      revision: 0n,
      type: 'WorkflowCreated',
      data: { workflowId, workspaceId: 'ws1', name: 'Onboarding', description: 'New hires' },
      position: result.position,
    });
    expect(stored[0].metadata).toEqual({
      eventId: deterministicId(create.metadata.commandId, 0),
      causationId: create.metadata.commandId,
      correlationId: create.metadata.correlationId,
      actor: { kind: 'user', id: 'u1', name: 'Ada' },
      workspaceId: 'ws1',
      occurredAt: '2026-11-28T10:00:00.000Z',
      schemaVersion: SCHEMA_VERSION,
    });
    expect(SCHEMA_VERSION).toBe(1);
    expect(stored[0].metadata).not.toHaveProperty('commandId');
    expect(result.events).toEqual([{ type: stored[0].type, data: stored[0].data, metadata: stored[0].metadata }]);
  });

  it('given a command deciding two events, when handled, then both are stored in order with ids derived from their index', async () => {
    const { workflowId, streamId } = await givenWorkflow();
    const update = command('UpdateWorkflow', { workflowId, name: 'Offboarding', description: 'Leavers' });

    const result = await handleCommand(store, workflowDecider, streamId, update);

    expect(result.revision).toBe(2n);
    const stored = await store.readStream(streamId, { from: 1n });
    expect(stored.map((e) => [e.revision, e.type, e.metadata.eventId, e.metadata.causationId])).toEqual([
      [1n, 'WorkflowRenamed', deterministicId(update.metadata.commandId, 0), update.metadata.commandId],
      [2n, 'WorkflowDescriptionChanged', deterministicId(update.metadata.commandId, 1), update.metadata.commandId],
    ]);
  });

  it('given the same CreateWorkflow sent twice at once (a retry racing the original), when both are handled, then the stream holds one event and both get the same revision', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const create = command('CreateWorkflow', { workflowId, name: 'Onboarding' });

    const [first, retry] = await Promise.all([
      handleCommand(store, workflowDecider, streamId, create),
      handleCommand(store, workflowDecider, streamId, structuredClone(create)),
    ]);

    expect(first.revision).toBe(0n);
    expect(retry.revision).toBe(0n);
    expect(retry.position).toEqual(first.position);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.metadata.eventId)).toEqual([deterministicId(create.metadata.commandId, 0)]);
  });

  it('given a CreateWorkflow already applied, when the same command (same commandId) is sent again, then it answers the original result and stores nothing twice', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const create = command('CreateWorkflow', { workflowId, name: 'Onboarding' });
    const first = await handleCommand(store, workflowDecider, streamId, create);

    const again = await handleCommand(store, workflowDecider, streamId, structuredClone(create));

    expect(again.revision).toBe(first.revision);
    expect(again.position).toEqual(first.position);
    expect(await store.readStream(streamId)).toHaveLength(1);
    // A new command (new id) with the same content is a new decision: refused.
    const error = await thrownBy(handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'Onboarding' })));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'workflow-exists' });
  });

  it('given newStream, when a creating command is handled, then it appends without reading; a retry answers the original and another command is refused as usual', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const create = command('CreateWorkflow', { workflowId, name: 'Onboarding' });
    const first = await handleCommand(store, workflowDecider, streamId, create, { newStream: true });
    expect(first.revision).toBe(0n);

    const again = await handleCommand(store, workflowDecider, streamId, structuredClone(create), { newStream: true });
    expect(again.revision).toBe(first.revision);
    expect(again.position).toEqual(first.position);
    expect(await store.readStream(streamId)).toHaveLength(1);
    const error = await thrownBy(handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'Other' }), { newStream: true }));
    expect(error).toMatchObject({ kind: 'conflict', code: 'workflow-exists' });
    expect(await store.readStream(streamId)).toHaveLength(1);
  });

  it('given a rename retried after someone else renamed, when the same command comes back, then it answers its original result and decides nothing new', async () => {
    const { workflowId, streamId } = await givenWorkflow();
    const rename = command('RenameWorkflow', { workflowId, name: 'B' });
    const first = await handleCommand(store, workflowDecider, streamId, rename);
    await handleCommand(store, workflowDecider, streamId, command('RenameWorkflow', { workflowId, name: 'C' }));

    const again = await handleCommand(store, workflowDecider, streamId, structuredClone(rename));

    expect(again.revision).toBe(first.revision);
    expect((await store.readStream(streamId)).map((e) => (e.data as { name?: string }).name)).toEqual(['Onboarding', 'B', 'C']);
  });

  it('given a rename already applied, when the same rename is sent again, then it answers the same events and the stream is unchanged', async () => {
    const { workflowId, streamId } = await givenWorkflow();
    const rename = command('RenameWorkflow', { workflowId, name: 'Renamed' });
    const first = await handleCommand(store, workflowDecider, streamId, rename);

    const again = await handleCommand(store, workflowDecider, streamId, structuredClone(rename));

    expect(first.revision).toBe(1n);
    expect(again.revision).toBe(1n);
    expect(again.events.map((e) => e.metadata.eventId)).toEqual(first.events.map((e) => e.metadata.eventId));
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  it('given follow-ups, when a command is handled, then each is decided on the state the one before left and all are stored in one append under their own command ids', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const seen: string[] = [];
    const rename = command('RenameWorkflow', { workflowId, name: 'Renamed' });
    const followUps = async (state: unknown, decided: readonly { type: string }[]) => {
      seen.push(`${(state as { name: string }).name}<-${decided.map((e) => e.type).join(',')}`);
      return decided.some((e) => e.type === 'WorkflowCreated') ? [rename] : [];
    };

    const result = await handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'Onboarding' }), { newStream: true, followUps });

    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowRenamed']);
    expect(new Set(stored.map((e) => `${e.position.transactionId}`)).size).toBe(1);
    expect(stored[1].metadata.causationId).toBe(rename.metadata.commandId);
    expect(result.revision).toBe(1n);
    expect(seen).toEqual(['Onboarding<-WorkflowCreated', 'Renamed<-WorkflowRenamed']);
  });

  it('given a follow-up the decider refuses or a failing follow-up callback, when the command is handled, then its own events are stored and the rest is left out', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);
    const refused = command('CreateWorkflow', { workflowId, name: 'Twice' });
    await handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'Onboarding' }), { followUps: async () => [refused] });
    await handleCommand(store, workflowDecider, streamId, command('RenameWorkflow', { workflowId, name: 'B' }), {
      followUps: async () => {
        throw new Error('the callback broke');
      },
    });
    expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowRenamed']);
  });

  it('given a command that decides nothing, when handled, then it returns the current revision, no position, and appends nothing', async () => {
    const { workflowId, streamId } = await givenWorkflow();
    const before = await store.readStream(streamId);

    const result = await handleCommand(store, workflowDecider, streamId, command('RestoreWorkflow', { workflowId }));

    expect(result).toEqual({ revision: 0n, events: [] });
    expect(result.position).toBeUndefined();
    expect(await store.readStream(streamId)).toEqual(before);
  });

  it('given a matching expectedRevision, when the command is handled, then it is applied', async () => {
    const { workflowId, streamId } = await givenWorkflow();

    const result = await handleCommand(store, workflowDecider, streamId, command('ArchiveWorkflow', { workflowId }), {
      expectedRevision: 0n,
    });

    expect(result.revision).toBe(1n);
    expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['WorkflowCreated', 'WorkflowArchived']);
  });

  it('given an expectedRevision that is not the stream revision, when handled, then PreconditionFailed carries the current revision and nothing is appended', async () => {
    const { workflowId, streamId } = await givenWorkflow();
    await handleCommand(store, workflowDecider, streamId, command('RenameWorkflow', { workflowId, name: 'Second' }));
    const before = await store.readStream(streamId);

    for (const expectedRevision of [0n, 5n]) {
      const error = await thrownBy(
        handleCommand(store, workflowDecider, streamId, command('RenameWorkflow', { workflowId, name: 'Third' }), { expectedRevision }),
      );
      expect(error).toBeInstanceOf(PreconditionFailed);
      expect(error).toMatchObject({ streamId, currentRevision: 1n });
    }
    expect(await store.readStream(streamId)).toEqual(before);
  });

  it('given a stream that does not exist, when a command expects revision 0, then PreconditionFailed reports -1', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);

    const error = await thrownBy(
      handleCommand(store, workflowDecider, streamId, command('CreateWorkflow', { workflowId, name: 'X' }), { expectedRevision: 0n }),
    );

    expect(error).toBeInstanceOf(PreconditionFailed);
    expect(error).toMatchObject({ currentRevision: -1n });
    expect(await store.readStream(streamId)).toEqual([]);
  });

  it('given a command the decider refuses, when handled, then the DomainError reaches the caller and nothing is appended', async () => {
    const { workflowId, streamId } = await givenWorkflow(false);

    const error = await thrownBy(handleCommand(store, workflowDecider, streamId, command('RenameWorkflow', { workflowId, name: 'X' })));

    expect(error).toMatchObject({ kind: 'not_found', code: 'workflow-not-found' });
    expect(await store.readStream(streamId)).toEqual([]);
  });
});

describe('deterministicId', () => {
  it('given a command id and an index, then it is a UUID with the version 5 layout', () => {
    for (const [commandId, index] of [
      ['c1', 0],
      [randomUUID(), 0],
      [randomUUID(), 7],
      ['', 0],
    ] as const) {
      expect(deterministicId(commandId, index)).toMatch(UUID_V5_LAYOUT);
    }
  });

  it('given the same input twice, then it is the same id', () => {
    const commandId = randomUUID();
    expect(deterministicId(commandId, 3)).toBe(deterministicId(commandId, 3));
  });

  it('given different indexes or command ids, then the ids differ', () => {
    const commandId = randomUUID();
    const ids = new Set([0, 1, 2, 10, 11].map((i) => deterministicId(commandId, i)));
    expect(ids.size).toBe(5);
    expect(deterministicId(commandId, 0)).not.toBe(deterministicId(randomUUID(), 0));
    // "c/1" + index 0 and "c" + index 10 must not hash the same text.
    expect(deterministicId('c/1', 0)).not.toBe(deterministicId('c', 10));
  });
});
