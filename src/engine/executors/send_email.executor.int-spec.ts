import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config';
import { migrateReadModels } from '../../../projections/migrations';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { sendEmailExecutor } from './send_email.executor';
import { stepContext, testServices, TEST_IDS } from './testing/step-context';
import type { StepFailure } from '../step-failure';

interface Output {
  messageId: string;
  accepted: string[];
  rejected: string[];
  transport: 'smtp' | 'outbox';
}

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateReadModels(database.handle.db, database.schema);
});
afterAll(async () => database?.close());

const outboxConfig = () => ({ ...loadConfig({}), smtpUrl: undefined, mailFrom: 'Flows <flows@bluebird.test>' });

async function run(config: Record<string, unknown>, options: { stepId?: string; scope?: Record<string, unknown>; smtpUrl?: string } = {}): Promise<Output> {
  const ctx = await stepContext({
    type: 'send_email',
    config,
    stepId: options.stepId,
    scope: options.scope,
    services: testServices({ db: database.handle.db, config: { ...outboxConfig(), smtpUrl: options.smtpUrl } }),
  });
  return ((await sendEmailExecutor.execute(ctx)) as { output: Output }).output;
}

const outboxRow = (stepId: string) =>
  database.handle.db.selectFrom('email_outbox').selectAll().where('message_id', '=', `${TEST_IDS.executionId}:${stepId}`).executeTakeFirst();

describe('send_email executor (JSON transport into the outbox)', () => {
  it('renders the subject and body with the run\'s data and records the message in the outbox', async () => {
    const output = await run(
      { to: '{{ input.email }}, Team <team@acme.test>', cc: 'boss@acme.test', subject: 'Order {{ input.order }} shipped', body: 'Hi {{ input.name }}, order {{ input.order }} is on its way.' },
      { stepId: 'mail_1', scope: { input: { email: 'ann@acme.test', name: 'Ann', order: 'A-17' } } },
    );
    expect(output).toEqual({ messageId: expect.stringMatching(/^<[0-9a-f-]{36}@workflows\.bluebird>$/), accepted: ['ann@acme.test', 'team@acme.test', 'boss@acme.test'], rejected: [], transport: 'outbox' });
    const row = await outboxRow('mail_1');
    expect(row).toMatchObject({
      workspace_id: TEST_IDS.workspaceId,
      execution_id: TEST_IDS.executionId,
      step_id: 'mail_1',
      from_address: 'Flows <flows@bluebird.test>',
      to_addresses: ['ann@acme.test', 'team@acme.test'],
      cc_addresses: ['boss@acme.test'],
      subject: 'Order A-17 shipped',
      text_body: 'Hi Ann, order A-17 is on its way.',
      html_body: null,
      transport: 'outbox',
    });
    // What nodemailer's JSON transport built is kept with it.
    expect((row!.transport_result as { message: { subject: string; messageId: string } }).message).toMatchObject({ subject: 'Order A-17 shipped', messageId: output.messageId });
  });

  it('sends once per idempotency key: a redelivered step (even two at once) answers the first send', async () => {
    const config = { to: 'once@acme.test', subject: 'Only once', body: 'x' };
    const [a, b] = await Promise.all([run(config, { stepId: 'mail_once' }), run(config, { stepId: 'mail_once' })]);
    const c = await run({ ...config, subject: 'Changed on retry' }, { stepId: 'mail_once' });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const rows = await database.handle.db.selectFrom('email_outbox').select(['subject']).where('message_id', '=', `${TEST_IDS.executionId}:mail_once`).execute();
    expect(rows).toEqual([{ subject: 'Only once' }]);
  });

  it('fills a named template with the execution variables and templateData; missing values render as nothing', async () => {
    await run({ template: 'welcome_email', to: '{{ customer_email }}', templateData: { plan: '{{ input.plan }}' } }, {
      stepId: 'welcome',
      scope: { input: { plan: 'Pro' }, vars: { customer_email: 'zoe@acme.test', customer_name: 'Zoe' }, customer_email: 'zoe@acme.test', customer_name: 'Zoe' },
    });
    const row = await outboxRow('welcome');
    expect(row!.subject).toBe('Welcome to BlueBirdHub, Zoe');
    expect(row!.text_body).toContain('Hello Zoe,');
    expect(row!.text_body).toContain('on the Pro plan');
    expect(row!.text_body).not.toContain('Sign in here');
  });

  it('sends an html body as html', async () => {
    await run({ to: 'h@acme.test', subject: 'Report', body: '<p>Total: <b>{{ input.total }}</b></p>', format: 'html' }, { stepId: 'html', scope: { input: { total: 42 } } });
    expect(await outboxRow('html')).toMatchObject({ html_body: '<p>Total: <b>42</b></p>', text_body: null });
  });

  it('fails for good on an unknown template or an address that is not one, and sends nothing', async () => {
    const unknown = (await run({ template: 'no_such_template', to: 'a@acme.test' }, { stepId: 'bad_1' }).catch((e) => e)) as StepFailure;
    expect([unknown.kind, unknown.retryable]).toEqual(['TemplateNotFound', false]);
    const invalid = (await run({ to: 'a@acme.test, not-an-address', subject: 's', body: 'b' }, { stepId: 'bad_2' }).catch((e) => e)) as StepFailure;
    expect([invalid.kind, invalid.retryable, invalid.message]).toEqual(['InvalidRecipient', false, expect.stringContaining('not-an-address')]);
    const none = (await run({ to: '{{ input.nobody }}', subject: 's', body: 'b' }, { stepId: 'bad_3' }).catch((e) => e)) as StepFailure;
    expect(none.kind).toBe('InvalidRecipient');
    expect(await outboxRow('bad_1')).toBeUndefined();
    expect(await outboxRow('bad_2')).toBeUndefined();
  });
});

describe('send_email executor over SMTP', () => {
  let smtp: FakeSmtpServer;
  beforeAll(async () => (smtp = await startFakeSmtpServer()));
  afterAll(async () => smtp?.close());

  it('delivers through the SMTP server when SMTP_URL is set, says which recipients it refused, and records it', async () => {
    const output = await run({ to: 'ok@acme.test, reject-me@acme.test', subject: 'Via SMTP', body: 'Hello over the wire' }, { stepId: 'smtp_1', smtpUrl: smtp.url });
    expect(output).toMatchObject({ accepted: ['ok@acme.test'], rejected: ['reject-me@acme.test'], transport: 'smtp' });
    expect(smtp.messages).toHaveLength(1);
    const [message] = smtp.messages;
    expect(message.recipients).toEqual(['ok@acme.test']);
    expect(message.data).toContain('Subject: Via SMTP');
    expect(message.data).toContain('Hello over the wire');
    expect(message.data).toContain(`Message-ID: ${output.messageId}`);
    expect(await outboxRow('smtp_1')).toMatchObject({ transport: 'smtp', subject: 'Via SMTP' });

    // Redelivered: the server sees nothing new.
    await run({ to: 'ok@acme.test', subject: 'Via SMTP', body: 'Hello over the wire' }, { stepId: 'smtp_1', smtpUrl: smtp.url });
    expect(smtp.messages).toHaveLength(1);
  });

  it('fails for good when the server refuses every recipient (5xx), retryably when it cannot be reached', async () => {
    const refused = (await run({ to: 'reject-all@acme.test', subject: 's', body: 'b' }, { stepId: 'smtp_2', smtpUrl: smtp.url }).catch((e) => e)) as StepFailure;
    expect([refused.kind, refused.retryable]).toEqual(['MailRejected', false]);
    const down = (await run({ to: 'a@acme.test', subject: 's', body: 'b' }, { stepId: 'smtp_3', smtpUrl: 'smtp://127.0.0.1:1' }).catch((e) => e)) as StepFailure;
    expect([down.kind, down.retryable]).toEqual(['MailUnavailable', true]);
    expect(await outboxRow('smtp_2')).toBeUndefined();
  });
});

interface FakeSmtpServer {
  url: string;
  messages: { from: string; recipients: string[]; data: string }[];
  close(): Promise<void>;
}

/** Just enough of RFC 5321 for nodemailer: refuses recipients whose address starts with "reject". */
async function startFakeSmtpServer(): Promise<FakeSmtpServer> {
  const messages: FakeSmtpServer['messages'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let current = { from: '', recipients: [] as string[], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake.smtp ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          reply('250 2.0.0 queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-fake.smtp\r\n250 8BITMIME\r\n');
        else if (verb === 'HELO') reply('250 fake.smtp');
        else if (verb === 'MAIL') {
          current = { from: /<(.*)>/.exec(line)?.[1] ?? '', recipients: [], data: '' };
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          const address = /<(.*)>/.exec(line)?.[1] ?? '';
          if (address.startsWith('reject')) reply('550 5.1.1 no such user');
          else {
            current.recipients.push(address);
            reply('250 2.1.5 ok');
          }
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (verb === 'RSET') reply('250 ok');
        else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
