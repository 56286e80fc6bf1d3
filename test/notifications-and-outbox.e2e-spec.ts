import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from 'supertest/types';
import type { NotificationDto, Page, WorkspaceCommand } from '@contracts';
import { Commands } from '../src/commands/dispatch';
import { NotificationStreamController } from '../src/api/notification-stream.controller';
import type { EngineServices } from '../src/engine/executor';
import { sendNotificationExecutor } from '../src/engine/executors/send_notification.executor';
import { sendEmailExecutor } from '../src/engine/executors/send_email.executor';
import { stepContext, testServices } from '../src/engine/executors/testing/step-context';
import type { OutboxMessageDto } from '../src/queries/outbox.queries';
import { as, startTestApp, type TestApp } from './support/test-app';

type Api = ReturnType<typeof as>;

/** An SSE client on node:http (supertest waits for the end of a body, which a stream never has). */
class SseClient {
  readonly events: { id?: string; event?: string; data: string }[] = [];
  readonly comments: string[] = [];
  status = 0;
  contentType = '';
  private buffer = '';
  private req?: ClientRequest;

  static async connect(port: number, token: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.req = httpRequest({ host: '127.0.0.1', port, path: '/api/notifications/stream', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers } }, (res) => {
        client.status = res.statusCode ?? 0;
        client.contentType = String(res.headers['content-type'] ?? '');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => client.take(chunk));
        res.on('error', () => undefined);
        resolve();
      });
      client.req.on('error', reject);
      client.req.end();
    });
    return client;
  }

  async waitFor(ok: (client: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok(this)) {
      if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get notifications(): NotificationDto[] {
    return this.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data) as NotificationDto);
  }

  close(): void {
    this.req?.destroy();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: { id?: string; event?: string; data: string } = { data: '' };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) ((event.id = line.slice(4)), (isEvent = true));
        else if (line.startsWith('event: ')) ((event.event = line.slice(7)), (isEvent = true));
        else if (line.startsWith('data: ')) ((event.data += line.slice(6)), (isEvent = true));
      }
      if (isEvent) this.events.push(event);
    }
  }
}

describe('notifications pushed over SSE, and the e-mail outbox', () => {
  let t: TestApp;
  let http: App;
  let port: number;
  let owner: Api;
  let ownerToken: string;
  let workspaceId: string;
  let otherWorkspaceId: string;
  const bob = { id: '', token: '', api: undefined as unknown as Api };
  const streams: SseClient[] = [];

  /** `services.send` as the engine has it: the one command path (the app's Commands). */
  const send: EngineServices['send'] = (aggregate, command, options) =>
    t.app.get(Commands).send(aggregate as 'workspace', {
      ...command,
      metadata: {
        commandId: options.commandId,
        correlationId: options.commandId,
        causationId: options.commandId,
        actor: options.actorId ? { kind: 'user', id: options.actorId } : { kind: 'system', id: 'system' },
        workspaceId: options.workspaceId,
        occurredAt: new Date().toISOString(),
      },
    } as WorkspaceCommand);

  const services = () => testServices({ db: t.infra.database.db, config: { ...t.config, smtpUrl: undefined }, send, now: () => new Date() });

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    http = t.app.getHttpServer();
    port = (http as unknown as { address(): AddressInfo }).address().port;
    ownerToken = await t.login();
    owner = as(http, ownerToken);
    workspaceId = (await owner.get('/api/workspaces').expect(200)).body[0].id;
    otherWorkspaceId = (await owner.post('/api/workspaces').send({ name: 'Elsewhere' }).expect(201)).body.id;
    const invited = await owner.post('/api/users').send({ email: 'bob@test.local', displayName: 'Bob', role: 'viewer' }).expect(201);
    bob.id = invited.body.id;
    bob.token = await t.login('bob@test.local', invited.body.temporaryPassword);
    bob.api = as(http, bob.token);
  }, 60_000);
  afterAll(async () => {
    // One stream is still open: closing the app must end it, not wait for it.
    await t?.close();
  });

  it('pushes a notification a step posts to its recipient, as it appears, and only to them', async () => {
    // Bob already has a notification (he was added to the workspace): not news to a new stream.
    await bob.api.get('/api/notifications').expect(200);
    const bobs = await SseClient.connect(port, bob.token);
    const owners = await SseClient.connect(port, ownerToken);
    streams.push(bobs, owners);
    expect([bobs.status, bobs.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await bobs.waitFor((c) => c.comments.includes('connected'));

    const ctx = await stepContext({
      type: 'send_notification',
      config: { recipients: { userIds: ['{{ input.reviewer }}'] }, title: 'Review {{ input.doc }}', message: 'Waiting for you since {{ input.since }}', severity: 'warning', link: '/docs/{{ input.doc }}' },
      scope: { input: { reviewer: bob.id, doc: 'Q3 plan', since: 'Monday' } },
      workspaceId,
      stepId: `notify_${randomUUID().slice(0, 8)}`,
      startedBy: undefined,
      services: services(),
    });
    const { output } = (await sendNotificationExecutor.execute(ctx)) as { output: { notificationIds: string[]; recipientCount: number } };
    expect(output.recipientCount).toBe(1);

    await bobs.waitFor((c) => c.notifications.length > 0);
    expect(bobs.notifications).toEqual([
      expect.objectContaining({
        id: output.notificationIds[0],
        type: 'Posted',
        read: false,
        title: 'Review Q3 plan',
        message: 'Waiting for you since Monday',
        level: 'warning',
        link: { executionId: ctx.executionId, workflowId: ctx.workflowId, url: '/docs/Q3 plan' },
        workspace: expect.objectContaining({ id: workspaceId }),
      }),
    ]);
    expect(bobs.events[bobs.events.length - 1].id).toMatch(/^\d+\.\d+$/);

    // The list has it too, and it can be marked read like any other.
    const listed = (await bob.api.get('/api/notifications').query({ unread: 'true' }).expect(200)).body as Page<NotificationDto>;
    expect(listed.items.find((n) => n.id === output.notificationIds[0])).toMatchObject({ type: 'Posted', title: 'Review Q3 plan' });
    await bob.api.post(`/api/notifications/${output.notificationIds[0]}/read`).expect(200);

    // Not the owner's: nothing arrives on their stream.
    await new Promise((r) => setTimeout(r, 1200));
    expect(owners.notifications).toEqual([]);
    expect(bobs.notifications).toHaveLength(1);
  });

  it('resumes after Last-Event-ID, and hears the client hang up', async () => {
    const controller = t.app.get(NotificationStreamController);
    const before = controller.openStreams;
    const resumed = await SseClient.connect(port, bob.token, { 'last-event-id': '0.0' });
    await resumed.waitFor((c) => c.notifications.some((n) => n.type === 'Posted'));
    expect(resumed.notifications.map((n) => n.type)).toEqual(expect.arrayContaining(['MemberAdded', 'Posted']));
    expect(controller.openStreams).toBe(before + 1);
    resumed.close();
    // The server stops polling for it (its timers are gone).
    await resumed.waitFor(() => controller.openStreams === before, 2000);
  });

  it('refuses a stream without a valid token', async () => {
    const anonymous = await SseClient.connect(port, 'not-a-token');
    expect(anonymous.status).toBe(401);
    anonymous.close();
  });

  it('lists the e-mail of the workspace, newest first, page by page', async () => {
    const sendMail = async (to: string, subject: string, wsId: string) => {
      const ctx = await stepContext({ type: 'send_email', config: { to, subject, body: `About ${subject}` }, workspaceId: wsId, stepId: `mail_${randomUUID().slice(0, 8)}`, services: services() });
      return ((await sendEmailExecutor.execute(ctx)) as { output: { messageId: string } }).output;
    };
    const first = await sendMail('a@acme.test', 'First', workspaceId);
    await sendMail('b@acme.test', 'Second', workspaceId);
    await sendMail('c@acme.test, d@acme.test', 'Third', workspaceId);
    await sendMail('x@elsewhere.test', 'Elsewhere', otherWorkspaceId);

    const page1 = (await owner.get('/api/outbox').set('X-Workspace-Id', workspaceId).query({ limit: 2 }).expect(200)).body as Page<OutboxMessageDto>;
    expect(page1.items.map((m) => m.subject)).toEqual(['Third', 'Second']);
    expect(page1.items[0]).toMatchObject({ to: ['c@acme.test', 'd@acme.test'], text: 'About Third', transport: 'outbox', accepted: ['c@acme.test', 'd@acme.test'], from: t.config.mailFrom });
    const page2 = (await owner.get('/api/outbox').set('X-Workspace-Id', workspaceId).query({ limit: 2, cursor: page1.nextCursor }).expect(200)).body as Page<OutboxMessageDto>;
    expect(page2.items.map((m) => [m.subject, m.messageId])).toEqual([['First', first.messageId]]);
    expect(page2.nextCursor).toBeUndefined();

    // A viewer of the workspace sees the same; the other workspace's mail is its own.
    const bobsView = (await bob.api.get('/api/outbox').set('X-Workspace-Id', workspaceId).expect(200)).body as Page<OutboxMessageDto>;
    expect(bobsView.items.map((m) => m.subject)).toEqual(['Third', 'Second', 'First']);
    const elsewhere = (await owner.get('/api/outbox').set('X-Workspace-Id', otherWorkspaceId).expect(200)).body as Page<OutboxMessageDto>;
    expect(elsewhere.items.map((m) => m.subject)).toEqual(['Elsewhere']);
    await bob.api.get('/api/outbox').set('X-Workspace-Id', otherWorkspaceId).expect(404);

    const bad = await owner.get('/api/outbox').query({ cursor: 'nonsense' }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
