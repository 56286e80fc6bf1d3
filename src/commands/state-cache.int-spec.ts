import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Command, RecordedEvent, UserCommand, WorkflowCommand, WorkspaceCommand } from '@contracts';
import { userStream, workflowStream, workspaceStream } from '@contracts';
import { PostgresEventStore } from '../adapters/event-store/postgres/postgres.event-store';
import type { DecidedEvent, Decider } from '../domain/decider';
import { workflowDecider } from '../domain/workflow/workflow.decider';
import { userDecider } from '../domain/user/user.decider';
import { workspaceDecider } from '../domain/workspace/workspace.decider';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { asJsonb, deterministicId, handleCommand, loadState, type CommandResult } from './handle-command';
import { StateCache, defaultStateCache } from './state-cache';

let database: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  store = new PostgresEventStore(database.handle);
  await store.init();
});
afterAll(async () => database?.close());
afterEach(() => jest.restoreAllMocks());

const metadata = (commandId: string) => ({
  commandId,
  correlationId: `corr-${commandId}`,
  causationId: `request-${commandId}`,
  actor: { kind: 'user' as const, id: 'u1', name: 'Ada' },
  workspaceId: 'ws1',
  occurredAt: '2026-11-28T10:00:00.000Z',
});

/** A command as the API would build it: ids and the clock come in the metadata. */
function cmd<C extends Command>(type: C['type'], data: C['data'], commandId: string = randomUUID()): C {
  return { type, data, metadata: metadata(commandId) } as C;
}
const wf = <T extends WorkflowCommand['type']>(type: T, data: Extract<WorkflowCommand, { type: T }>['data'], commandId?: string) =>
  cmd<WorkflowCommand>(type, data, commandId) as Extract<WorkflowCommand, { type: T }>;

const step = (id: string, title: string) => ({
  id,
  name: `Step ${id}`,
  type: 'create_task',
  config: { title },
  position: { x: 0, y: 0 },
  errorStrategy: 'fail' as const,
});

/** Objects (and Sets and Maps) that throw when anything changes them. */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Set || value instanceof Map) {
    for (const method of ['add', 'set', 'delete', 'clear']) {
      Object.defineProperty(value, method, {
        value: () => {
          throw new TypeError(`a decider changed a ${value.constructor.name} of its state`);
        },
      });
    }
    for (const item of value.values()) deepFreeze(item);
  }
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

/** The decider, run on deep-frozen states: a decider that changed a state in place would throw. */
function frozen<C extends Command, E extends DecidedEvent, S>(decider: Decider<C, E, S>): Decider<C, E, S> {
  return {
    initialState: () => deepFreeze(decider.initialState()),
    evolve: (state, event) => deepFreeze(decider.evolve(deepFreeze(state), event)),
    decide: (command, state) => decider.decide(command, deepFreeze(state)),
  };
}

type Outcome = { revision: string; events: unknown[] } | { error: string };

/** What a command did, with the workflow's own id taken out so two workflows compare equal. */
async function outcomeOf(promise: Promise<CommandResult>, workflowId: string): Promise<Outcome> {
  try {
    const result = await promise;
    return {
      revision: String(result.revision),
      events: JSON.parse(JSON.stringify(result.events.map((e) => ({ type: e.type, data: e.data }))).replaceAll(workflowId, 'W')),
    };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

const fold = <E extends DecidedEvent, S>(decider: Decider<never, E, S>, events: readonly RecordedEvent[]) =>
  events.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());

/** A stream as stored, the workflow's own id taken out. */
async function storedShape(streamId: string, workflowId: string) {
  const events = await store.readStream(streamId);
  return JSON.parse(JSON.stringify(events.map((e) => [String(e.revision), e.type, e.data])).replaceAll(workflowId, 'W'));
}

async function createdWorkflow(cache: StateCache | false, ...steps: string[]) {
  const workflowId = randomUUID();
  const streamId = workflowStream(workflowId);
  await handleCommand(store, workflowDecider, streamId, wf('CreateWorkflow', { workflowId, name: 'Onboarding' }), { cache });
  for (const id of steps) await handleCommand(store, workflowDecider, streamId, wf('AddStep', { workflowId, step: step(id, id) }), { cache });
  return { workflowId, streamId };
}

describe('handleCommand with a state cache (PGlite)', () => {
  it('given the same commands on two workflows, one through the cache and one folding the whole stream, then every answer, error and stored event is the same, and the cached state is the fold of the stream', async () => {
    const script = (workflowId: string): WorkflowCommand[] => [
      wf('CreateWorkflow', { workflowId, name: 'Onboarding' }),
      wf('AddStep', { workflowId, step: step('a', 'A') }),
      wf('AddStep', { workflowId, step: step('b', 'B') }),
      wf('ConnectSteps', { workflowId, edge: { id: 'e1', from: 'a', to: 'b' } }),
      wf('ConfigureStep', { workflowId, stepId: 'a', config: { title: 'A2', priority: 'high', labels: ['b', 'a'], dueInDays: 3, description: undefined } }),
      wf('MoveStep', { workflowId, stepId: 'b', position: { x: 10, y: 20 } }),
      wf('MoveStep', { workflowId, stepId: 'b', position: { x: 10, y: 20 } }),
      wf('PublishVersion', { workflowId, note: 'v1' }),
      // Compares the draft with the last version as JSON: equal only if both folds saw the same JSON.
      wf('PublishVersion', { workflowId, note: 'again' }),
      wf('ConfigureStep', { workflowId, stepId: 'b', config: { title: 'B2' } }),
      wf('RenameStep', { workflowId, stepId: 'a', name: 'Alpha' }),
      wf('RollbackToVersion', { workflowId, version: 1 }),
      wf('PublishVersion', { workflowId, note: 'after rollback' }),
      wf('UpdateWorkflow', { workflowId, name: 'Renamed', description: 'D' }),
      wf('ConfigureStep', { workflowId, stepId: 'missing', config: {} }),
      wf('ArchiveWorkflow', { workflowId }),
      wf('ConfigureStep', { workflowId, stepId: 'a', config: { title: 'no' } }),
      wf('RestoreWorkflow', { workflowId }),
      wf('RemoveStep', { workflowId, stepId: 'a' }),
      wf('SetTags', { workflowId, tags: ['B', 'a', 'a'] }),
      wf('RestoreWorkflow', { workflowId }),
    ];
    const cache = new StateCache();
    const decider = frozen(workflowDecider);
    const cached = { workflowId: randomUUID() };
    const uncached = { workflowId: randomUUID() };

    const cachedOutcomes: Outcome[] = [];
    const uncachedOutcomes: Outcome[] = [];
    for (const command of script(cached.workflowId)) {
      cachedOutcomes.push(await outcomeOf(handleCommand(store, decider, workflowStream(cached.workflowId), command, { cache }), cached.workflowId));
    }
    for (const command of script(uncached.workflowId)) {
      uncachedOutcomes.push(
        await outcomeOf(handleCommand(store, workflowDecider, workflowStream(uncached.workflowId), command, { cache: false }), uncached.workflowId),
      );
    }

    expect(cachedOutcomes).toEqual(uncachedOutcomes);
    // revision:events decided, or the error: publishing an unchanged draft is refused in both.
    expect(cachedOutcomes.map((o) => ('error' in o ? o.error : `${o.revision}:${o.events.length}`))).toEqual([
      '0:1', '1:1', '2:1', '3:1', '4:1', '5:1', '5:0', '6:1', 'no-changes', '7:1', '8:1', '10:2', 'no-changes', '12:2',
      'step-not-found', '13:1', 'workflow-archived', '14:1', '16:2', '17:1', '17:0',
    ]);
    expect(await storedShape(workflowStream(cached.workflowId), cached.workflowId)).toEqual(
      await storedShape(workflowStream(uncached.workflowId), uncached.workflowId),
    );
    // The last command (decides nothing) read up to the end: the entry is the fold of the whole stream.
    const stream = await store.readStream(workflowStream(cached.workflowId));
    const entry = cache.get(decider, workflowStream(cached.workflowId))!;
    expect(entry.revision).toBe(stream[stream.length - 1].revision);
    expect(entry.state).toEqual(fold(workflowDecider, stream));
    expect(cache.stats.misses).toBe(1);
  });

  it('given users and workspaces, when commands go through the cache on deep-frozen states, then nothing changes a state in place and the cached state is the fold of the stream', async () => {
    const cache = new StateCache();
    const user = frozen(userDecider);
    const userId = randomUUID();
    const users: UserCommand[] = [
      cmd('RegisterUser', { userId, email: 'ada@example.com', displayName: 'Ada', passwordHash: 'h', mustChangePassword: false }),
      cmd('MarkNotificationRead', { userId, notificationId: 'n1' }),
      cmd('MarkNotificationRead', { userId, notificationId: 'n1' }),
      cmd('MarkNotificationRead', { userId, notificationId: 'n2' }),
      cmd('DisableUser', { userId }),
      cmd('EnableUser', { userId }),
      cmd('ChangePassword', { userId, passwordHash: 'h2', reset: false }),
      cmd('EnableUser', { userId }),
    ];
    const revisions: bigint[] = [];
    for (const command of users) revisions.push((await handleCommand(store, user, userStream(userId), command, { cache })).revision);
    expect(revisions).toEqual([0n, 1n, 1n, 2n, 3n, 4n, 5n, 5n]);
    const userEvents = await store.readStream(userStream(userId));
    expect(cache.get(user, userStream(userId))!.state).toEqual(fold(userDecider, userEvents));
    expect([...cache.get(user, userStream(userId))!.state.readNotifications]).toEqual(['n1', 'n2']);

    const workspace = frozen(workspaceDecider);
    const workspaceId = randomUUID();
    const commands: WorkspaceCommand[] = [
      cmd('CreateWorkspace', { workspaceId, name: 'Acme', ownerId: 'o1' }),
      cmd('AddMember', { workspaceId, userId: 'u2', role: 'editor' }),
      cmd('CreateTeam', { workspaceId, teamId: 't1', name: 'Ops' }),
      cmd('AddTeamMember', { workspaceId, teamId: 't1', userId: 'u2' }),
      cmd('RemoveMember', { workspaceId, userId: 'u2' }),
      cmd('AddMember', { workspaceId, userId: 'u2', role: 'owner' }),
      cmd('ChangeMemberRole', { workspaceId, userId: 'o1', role: 'viewer' }),
      cmd('RemoveMember', { workspaceId, userId: 'u2' }),
      cmd('DeleteTeam', { workspaceId, teamId: 't1' }),
      cmd('AddMember', { workspaceId, userId: 'u3', role: 'viewer' }),
    ];
    const outcomes: string[] = [];
    for (const command of commands) {
      try {
        outcomes.push(String((await handleCommand(store, workspace, workspaceStream(workspaceId), command, { cache })).revision));
      } catch (error) {
        outcomes.push((error as { code: string }).code);
      }
    }
    // u2 leaves team t1 and the workspace in one decision; later, the only owner cannot leave.
    expect(outcomes).toEqual(['1', '2', '3', '4', '6', '7', '8', 'last-owner', '9', '10']);
    const workspaceEvents = await store.readStream(workspaceStream(workspaceId));
    const state = fold(workspaceDecider, workspaceEvents);
    // The command's own events are folded in after its append, as the store gives them back.
    expect(cache.get(workspace, workspaceStream(workspaceId))!.state).toEqual(state);
    expect(cache.get(workspace, workspaceStream(workspaceId))!.revision).toBe(10n);
    expect(state).toEqual({ exists: true, members: { o1: 'viewer', u2: 'owner', u3: 'viewer' }, teams: {} });
  });

  it('given another writer (a second process with its own cache, or a raw append), when the next command goes through the first cache, then it decides on the latest state and loses no update', async () => {
    const mine = new StateCache();
    const theirs = new StateCache();
    const { workflowId, streamId } = await createdWorkflow(mine, 's1');
    await handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 's1', config: { title: 'warm' } }), { cache: mine });

    // The other process removes the step; our cache still holds it.
    await handleCommand(store, workflowDecider, streamId, wf('RemoveStep', { workflowId, stepId: 's1' }), { cache: theirs });
    await expect(
      handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 's1', config: { title: 'stale' } }), { cache: mine }),
    ).rejects.toMatchObject({ code: 'step-not-found' });

    // A raw append (as another service would write) adds a step only the store knows about.
    const head = (await store.readStream(streamId, { direction: 'backwards', limit: 1 }))[0].revision;
    const raw = wf('AddStep', { workflowId, step: step('s2', 'raw') });
    const { commandId, ...rest } = raw.metadata;
    await store.appendToStream(
      streamId,
      [{ type: 'StepAdded', data: { workflowId, step: step('s2', 'raw') }, metadata: { ...rest, causationId: commandId, eventId: randomUUID(), schemaVersion: 1 } }],
      { expectedRevision: head },
    );
    const configured = await handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 's2', config: { title: 'seen' } }), {
      cache: mine,
    });
    expect(configured.revision).toBe(head + 2n);

    // Both processes edit at once: every edit lands once, revisions stay gapless, none is lost.
    const before = (await store.readStream(streamId)).length;
    const titles = Array.from({ length: 16 }, (_, i) => `t${i}`);
    const results = await Promise.all(
      titles.map((title, i) =>
        handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 's2', config: { title } }), {
          cache: i % 2 === 0 ? mine : theirs,
        }).catch((error: Error) => error),
      ),
    );
    const applied = results.filter((r): r is CommandResult => !(r instanceof Error));
    // A writer that keeps losing may give up (ConcurrencyConflict: the client retries); none is silently dropped.
    expect(results.filter((r) => r instanceof Error).map((r) => (r as Error).name)).toEqual(
      Array(results.length - applied.length).fill('ConcurrencyConflict'),
    );
    expect(applied.length).toBeGreaterThan(0);
    const after = await store.readStream(streamId);
    expect(after.map((e) => e.revision)).toEqual(after.map((_, i) => BigInt(i)));
    expect(after.length - before).toBe(applied.length);
    expect(new Set(applied.map((r) => r.revision)).size).toBe(applied.length);

    // Each cache's next command sees the last title, whoever wrote it.
    const lastTitle = (after[after.length - 1].data as { config: { title: string } }).config.title;
    for (const cache of [mine, theirs]) {
      await handleCommand(store, workflowDecider, streamId, wf('RestoreWorkflow', { workflowId }), { cache });
      const s2 = cache.get(workflowDecider, streamId)!.state.definition.steps.find((s) => s.id === 's2');
      expect(s2?.config).toEqual({ title: lastTitle });
    }
  });

  it('given a cached stream that was deleted and written anew, when the next command comes, then the cache notices and folds the new stream', async () => {
    const cache = new StateCache();
    const { workflowId, streamId } = await createdWorkflow(cache, 'old');
    await handleCommand(store, workflowDecider, streamId, wf('RenameWorkflow', { workflowId, name: 'Old' }), { cache });
    await sql`DELETE FROM event_log WHERE stream_id = ${streamId}`.execute(database.handle.db);
    await handleCommand(store, workflowDecider, streamId, wf('CreateWorkflow', { workflowId, name: 'New' }), { cache: false });
    await handleCommand(store, workflowDecider, streamId, wf('AddStep', { workflowId, step: step('new', 'N') }), { cache: false });

    await expect(
      handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 'old', config: {} }), { cache }),
    ).rejects.toMatchObject({ code: 'step-not-found' });
    const result = await handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 'new', config: { title: 'x' } }), { cache });
    expect(result.revision).toBe(2n);
    expect(cache.get(workflowDecider, streamId)!.state.name).toBe('New');
  });

  it('given a cache of two streams, when a third is used, then the least recently used one is evicted, and a command on it reads its whole stream again', async () => {
    const cache = new StateCache({ maxStreams: 2 });
    const one = await createdWorkflow(cache);
    const two = await createdWorkflow(cache);
    expect(cache.size).toBe(2);
    await handleCommand(store, workflowDecider, one.streamId, wf('RenameWorkflow', { workflowId: one.workflowId, name: 'One' }), { cache });

    const three = await createdWorkflow(cache);

    expect(cache.size).toBe(2);
    expect(cache.stats.evictions).toBe(1);
    expect(cache.has(workflowDecider, one.streamId)).toBe(true);
    expect(cache.has(workflowDecider, two.streamId)).toBe(false);
    expect(cache.has(workflowDecider, three.streamId)).toBe(true);

    const read = jest.spyOn(store, 'readStream');
    const misses = cache.stats.misses;
    const renamed = await handleCommand(store, workflowDecider, two.streamId, wf('RenameWorkflow', { workflowId: two.workflowId, name: 'Two' }), { cache });
    expect(renamed.revision).toBe(1n);
    expect(cache.stats.misses).toBe(misses + 1);
    expect(read.mock.calls).toEqual([[two.streamId]]);
    expect(cache.has(workflowDecider, one.streamId)).toBe(false);

    const none = new StateCache({ maxStreams: 0 });
    await createdWorkflow(none, 'a');
    expect(none.size).toBe(0);
  });

  it('given a command handled through the cache, when it is retried after other commands, then the cache answers its original result without a new append or a full read', async () => {
    const cache = new StateCache();
    const { workflowId, streamId } = await createdWorkflow(cache, 'a');
    const rename = wf('RenameWorkflow', { workflowId, name: 'B' });
    const first = await handleCommand(store, workflowDecider, streamId, rename, { cache });
    for (let i = 0; i < 5; i++) {
      await handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 'a', config: { title: `${i}` } }), { cache });
    }
    const length = (await store.readStream(streamId)).length;
    const append = jest.spyOn(store, 'appendToStream');
    const read = jest.spyOn(store, 'readStream');

    const again = await handleCommand(store, workflowDecider, streamId, structuredClone(rename), { cache });

    expect(again.revision).toBe(first.revision);
    expect(again.position).toEqual(first.position);
    expect(again.events.map((e) => e.metadata.eventId)).toEqual([deterministicId(rename.metadata.commandId, 0)]);
    expect(append).not.toHaveBeenCalled();
    expect(read.mock.calls.every(([, options]) => options?.from !== undefined)).toBe(true);
    expect(read.mock.calls.length).toBeGreaterThan(0);
    read.mockRestore();
    expect(await store.readStream(streamId)).toHaveLength(length);
  });

  it('given a retry older than the window of remembered command ids, then nothing is stored twice: the same decision gets the original revision from the store, a larger one is answered by a full read', async () => {
    const cache = new StateCache({ maxRecentCommands: 1 });
    const { workflowId, streamId } = await createdWorkflow(cache, 'a');
    const configure = wf('ConfigureStep', { workflowId, stepId: 'a', config: { title: 'one' } });
    const configured = await handleCommand(store, workflowDecider, streamId, configure, { cache });
    // Renamed only: the description is already ''.
    const update = wf('UpdateWorkflow', { workflowId, name: 'X', description: '' });
    const updated = await handleCommand(store, workflowDecider, streamId, update, { cache });
    expect(updated.events.map((e) => e.type)).toEqual(['WorkflowRenamed']);
    await handleCommand(store, workflowDecider, streamId, wf('UpdateWorkflow', { workflowId, name: 'Y', description: 'D' }), { cache });
    await handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 'a', config: { title: 'two' } }), { cache });
    const length = (await store.readStream(streamId)).length;

    const configureAgain = await handleCommand(store, workflowDecider, streamId, structuredClone(configure), { cache });
    // Now it would decide a rename and a description change: more events than it stored then.
    const updateAgain = await handleCommand(store, workflowDecider, streamId, structuredClone(update), { cache });

    expect(configureAgain.revision).toBe(configured.revision);
    expect(updateAgain.revision).toBe(updated.revision);
    expect(updateAgain.events.map((e) => e.metadata.eventId)).toEqual([deterministicId(update.metadata.commandId, 0)]);
    expect(await store.readStream(streamId)).toHaveLength(length);
  });

  it('documents the limit: a retry older than the window whose new decision is empty answers that; after a cache miss the full read answers the original', async () => {
    const cache = new StateCache({ maxRecentCommands: 1 });
    const { workflowId, streamId } = await createdWorkflow(cache);
    const rename = wf('RenameWorkflow', { workflowId, name: 'B' });
    const first = await handleCommand(store, workflowDecider, streamId, rename, { cache });
    await handleCommand(store, workflowDecider, streamId, wf('RenameWorkflow', { workflowId, name: 'C' }), { cache });
    await handleCommand(store, workflowDecider, streamId, wf('RenameWorkflow', { workflowId, name: 'B' }), { cache });
    await handleCommand(store, workflowDecider, streamId, wf('ArchiveWorkflow', { workflowId }), { cache });
    await handleCommand(store, workflowDecider, streamId, wf('RestoreWorkflow', { workflowId }), { cache });

    const fromWindow = await handleCommand(store, workflowDecider, streamId, structuredClone(rename), { cache });
    const fromFullRead = await handleCommand(store, workflowDecider, streamId, structuredClone(rename), { cache: new StateCache() });

    expect(fromWindow).toEqual({ revision: 5n, events: [] });
    expect(fromFullRead.revision).toBe(first.revision);
    expect((await store.readStream(streamId)).map((e) => e.type)).toEqual([
      'WorkflowCreated', 'WorkflowRenamed', 'WorkflowRenamed', 'WorkflowRenamed', 'WorkflowArchived', 'WorkflowRestored',
    ]);
  });

  it('given data with undefined fields and keys in any order, then asJsonb gives it as the store gives it back', async () => {
    const streamId = `probe-${randomUUID()}`;
    const data = {
      bb: 1, a: { zz: [1, undefined, { y: 2, x: 1 }], b: undefined, é: 'e', ab: null }, c: 1.5, '10': 'ten', '2': 'two',
      inOrder: { a: 1, b: { c: 2, d: [{ e: 3 }] } },
      wide: { '😀': 1, '\uff01': 2, ý: 3, zz: 4, é: 5, z: 6 }, // UTF-16 order is not UTF-8 byte order here
      // What JSON.stringify does besides: toJSON, non-finite numbers, -0, functions, boxed values, an own __proto__ key
      at: new Date(Date.UTC(2026, 10, 29, 4, 0, 0)), custom: { toJSON: () => ({ z: 1, y: [undefined] }) },
      numbers: [NaN, Infinity, -0, 1e21, -1.25], dropped: () => 1, inArray: [() => 1, Symbol('s')],
      boxed: [Object(1), Object('s'), Object(true), Object(NaN)], map: new Map([['k', 1]]), ...JSON.parse('{"__proto__": {"p": 1}}'),
    };
    await store.appendToStream(streamId, [{ type: 'Probed', data, metadata: { ...metadata('probe'), eventId: randomUUID(), schemaVersion: 1 } }]);
    const [stored] = await store.readStream(streamId);
    expect(JSON.stringify(asJsonb(data))).toBe(JSON.stringify(stored.data));
    expect(asJsonb(data)).toEqual(stored.data);
    expect(Object.getPrototypeOf(asJsonb(data))).toBe(Object.prototype);
  });

  it('given decideOnCache, when the cache is current, then the command appends without reading the stream; when another writer moved on, the store refuses the stale decision and it is decided again on the latest state', async () => {
    const mine = new StateCache();
    const theirs = new StateCache();
    const { workflowId, streamId } = await createdWorkflow(mine, 's1');
    const reads = jest.spyOn(store, 'readStream');
    const renamed = await handleCommand(store, workflowDecider, streamId, wf('RenameWorkflow', { workflowId, name: 'Quick' }), { cache: mine, decideOnCache: true });
    expect(reads).not.toHaveBeenCalled();
    expect(renamed.revision).toBe(2n);
    expect(mine.get(workflowDecider, streamId)!.state).toEqual(fold(workflowDecider, await store.readStream(streamId)));

    await handleCommand(store, workflowDecider, streamId, wf('RemoveStep', { workflowId, stepId: 's1' }), { cache: theirs });
    reads.mockClear();
    await expect(
      handleCommand(store, workflowDecider, streamId, wf('ConfigureStep', { workflowId, stepId: 's1', config: { title: 'stale' } }), { cache: mine, decideOnCache: true }),
    ).rejects.toMatchObject({ code: 'step-not-found' });
    expect(reads).toHaveBeenCalled();
    expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['WorkflowCreated', 'StepAdded', 'WorkflowRenamed', 'StepRemoved']);
  });

  it('given loadState with atLeast, then the cached state answers without a read once the cache has got that far, and the stream is read when it has not', async () => {
    const cache = defaultStateCache(store);
    const { workflowId, streamId } = await createdWorkflow(cache, 's1');
    const reads = jest.spyOn(store, 'readStream');
    const known = await loadState(store, workflowDecider, streamId, { atLeast: 1n });
    expect(reads).not.toHaveBeenCalled();
    expect(known.state.definition.steps.map((s) => s.id)).toEqual(['s1']);

    // Written by another process: this one's cache is behind revision 2.
    await handleCommand(store, workflowDecider, streamId, wf('AddStep', { workflowId, step: step('s2', 's2') }), { cache: new StateCache() });
    const fresh = await loadState(store, workflowDecider, streamId, { atLeast: 2n });
    expect(reads).toHaveBeenCalled();
    expect(fresh.revision).toBe(2n);
    expect(fresh.state.definition.steps.map((s) => s.id)).toEqual(['s1', 's2']);
  });
});
