import { randomUUID } from 'node:crypto';
import type { Command, LogPosition, RecordedEvent, UserCommand, WorkspaceCommand } from '@contracts';
import { START_POSITION, userStream, workspaceStream } from '@contracts';
import { PostgresEventStore } from '../../adapters/event-store/postgres/postgres.event-store';
import { handleCommand } from '../../commands/handle-command';
import { workspaceDecider } from '../../domain/workspace/workspace.decider';
import { userDecider } from '../../domain/user/user.decider';
import { loadConfig } from '../../config';
import { migrateReadModels } from '../../../projections/migrations';
import { notificationProjector } from '../../../projections/notification/notification.projector';
import { workspaceMembershipProjector } from '../../../projections/workspace-membership/workspace-membership.projector';
import { userAccountProjector } from '../../../projections/user-account/user-account.projector';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import type { EngineServices } from '../executor';
import type { StepFailure } from '../step-failure';
import { sendNotificationExecutor } from './send_notification.executor';
import { stepContext, testServices, TEST_IDS } from './testing/step-context';

/**
 * send_notification through the real command path: PostNotification decided by the workspace
 * decider and appended to a PostgresEventStore, then the notification projector's rows.
 */
let database: TestDatabase;
let store: PostgresEventStore;
let projected: LogPosition = START_POSITION;
const workspaceId = TEST_IDS.workspaceId;
const users = { owner: randomUUID(), admin: randomUUID(), editor: randomUUID(), viewer: randomUUID() };

function metadata(commandId: string, actorId?: string): Command['metadata'] {
  return {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: actorId ? { kind: 'user', id: actorId } : { kind: 'system', id: 'system' },
    workspaceId,
    occurredAt: new Date().toISOString(),
  };
}

/** `services.send` as the engine wires it: the one command path, here straight to handleCommand. */
const send: EngineServices['send'] = async (aggregate, command, options) => {
  if (aggregate !== 'workspace') throw new Error(`unexpected aggregate ${aggregate}`);
  return handleCommand(store, workspaceDecider, workspaceStream(options.workspaceId), { ...command, metadata: metadata(options.commandId, options.actorId) } as WorkspaceCommand);
};

/** Applies what was appended since the last call to the read models the step and the API read. */
async function project(): Promise<RecordedEvent[]> {
  const events = await store.readAll({ after: projected, limit: 10_000 });
  if (events.length === 0) return events;
  await database.handle.db.transaction().execute(async (trx) => {
    for (const projector of [userAccountProjector, workspaceMembershipProjector, notificationProjector]) {
      await projector.apply(trx, events.filter((e) => projector.categories.includes(e.streamId.slice(0, e.streamId.indexOf('-')))));
    }
  });
  projected = events[events.length - 1].position;
  return events;
}

async function run(config: Record<string, unknown>, stepId = 'notify', input: Record<string, unknown> = {}) {
  const ctx = await stepContext({
    type: 'send_notification',
    config,
    stepId,
    scope: { input },
    startedBy: users.owner,
    services: testServices({ db: database.handle.db, send, config: { ...loadConfig({}), smtpUrl: undefined } }),
  });
  return ((await sendNotificationExecutor.execute(ctx)) as { output: { notificationIds: string[]; recipientCount: number } }).output;
}

const rowsFor = (stepNotificationIds: string[]) =>
  stepNotificationIds.length === 0
    ? Promise.resolve([])
    : database.handle.db.selectFrom('notification').selectAll().where('notification_id', 'in', stepNotificationIds).orderBy('recipient_user_id').execute();

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  store = new PostgresEventStore(database.handle);
  await store.init();
  await migrateReadModels(database.handle.db, database.schema);
  for (const [role, userId] of Object.entries(users)) {
    const register: UserCommand = {
      type: 'RegisterUser',
      data: { userId, email: `${role}@acme.test`, displayName: role, passwordHash: 'scrypt$x', mustChangePassword: false },
      metadata: metadata(randomUUID()),
    };
    await handleCommand(store, userDecider, userStream(userId), register);
  }
  await send('workspace', { type: 'CreateWorkspace', data: { workspaceId, name: 'Acme', ownerId: users.owner } }, { commandId: randomUUID(), workspaceId });
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    await send('workspace', { type: 'AddMember', data: { workspaceId, userId: users[role], role } }, { commandId: randomUUID(), workspaceId });
  }
  await project();
});
afterAll(async () => database?.close());

describe('send_notification executor', () => {
  const invoiceNotice = {
    recipients: { userIds: [users.editor, '{{ input.userId }}'] },
    title: 'Invoice {{ input.invoice }} overdue',
    message: 'Please call {{ input.customer }}',
    severity: 'warning',
    link: '/invoices/{{ input.invoice }}',
  };
  const input = { userId: users.viewer, invoice: 'F-17', customer: 'Globex' };

  it('posts to the users named: one row per recipient in the notifications read model', async () => {
    const output = await run(invoiceNotice, 'notify_named', input);
    expect(output.recipientCount).toBe(2);
    const events = await project();
    expect(events.map((e) => e.type)).toEqual(['NotificationPosted']);
    expect(events[0].data).toMatchObject({ workspaceId, recipientUserIds: [users.editor, users.viewer], title: 'Invoice F-17 overdue', level: 'warning' });
    expect(events[0].metadata.actor.id).toBe(users.owner);

    const rows = await rowsFor(output.notificationIds);
    expect(rows.map((r) => r.recipient_user_id).sort()).toEqual([users.editor, users.viewer].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ kind: 'Posted', workspace_id: workspaceId, workflow_id: TEST_IDS.workflowId });
      expect(row.details).toMatchObject({
        title: 'Invoice F-17 overdue',
        message: 'Please call Globex',
        level: 'warning',
        link: { executionId: TEST_IDS.executionId, workflowId: TEST_IDS.workflowId, url: '/invoices/F-17' },
      });
    }
  });

  it('posts nothing twice when the step is delivered again', async () => {
    const first = await run(invoiceNotice, 'notify_twice', input);
    const again = await run(invoiceNotice, 'notify_twice', input);
    expect(again).toEqual(first);
    expect((await project()).map((e) => e.type)).toEqual(['NotificationPosted']);
    expect(await rowsFor(first.notificationIds)).toHaveLength(2);
  });

  it('resolves a role to everyone holding it or a higher one', async () => {
    const output = await run({ recipients: { role: 'admin' }, title: 'Deploy finished', message: 'All green', severity: 'success' }, 'notify_role');
    await project();
    const rows = await rowsFor(output.notificationIds);
    expect(rows.map((r) => r.recipient_user_id).sort()).toEqual([users.owner, users.admin].sort());
    expect(output.recipientCount).toBe(2);
  });

  it('refuses, for good, anyone who is not a member or not a user id, and posts nothing', async () => {
    const stranger = (await run({ ...invoiceNotice, recipients: { userIds: [users.editor, randomUUID()] } }, 'notify_stranger', input).catch((e) => e)) as StepFailure;
    expect([stranger.kind, stranger.retryable]).toEqual(['UserNotFound', false]);
    expect(stranger.message).toContain('Not members');
    const junk = (await run({ ...invoiceNotice, recipients: { userIds: ['{{ input.nobody }}'] } }, 'notify_junk', input).catch((e) => e)) as StepFailure;
    expect([junk.kind, junk.retryable]).toEqual(['UserNotFound', false]);
    expect(await project()).toEqual([]);
  });

  it('also e-mails each recipient with the email channel, once', async () => {
    const config = { recipients: { userIds: [users.admin] }, title: 'Weekly report ready', message: 'See the dashboard', channels: ['in_app', 'email'] };
    const output = await run(config, 'notify_mail');
    await run(config, 'notify_mail');
    await project();
    expect(await rowsFor(output.notificationIds)).toHaveLength(1);
    const mails = await database.handle.db.selectFrom('email_outbox').selectAll().where('step_id', '=', 'notify_mail').execute();
    expect(mails.map((m) => [m.to_addresses, m.subject, m.text_body])).toEqual([[['admin@acme.test'], 'Weekly report ready', 'See the dashboard\n']]);
  });
});
