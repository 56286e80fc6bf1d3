import { defineAction } from '@contracts';
import { ActionConfigValidator, expressionSitesIn, expressionsIn, validateActionConfig } from './action-config.validator';

/** The seed's "Creating a Simple Workflow" steps (SEED.md), config for config. */
const SEED_SEND_EMAIL = { template: 'welcome_email', to: '{{customer_email}}' };
const SEED_CALL_API = { url: '/api/customers', method: 'POST', data: '{{customer_data}}' };

const errorsOf = (type: string, config: unknown) => {
  const result = validateActionConfig(type, config);
  return result.ok ? [] : result.errors;
};

describe('validateActionConfig', () => {
  it("accepts the seed's steps under their seed names and their catalogue names", () => {
    expect(validateActionConfig('SEND_EMAIL', SEED_SEND_EMAIL)).toEqual({ ok: true });
    expect(validateActionConfig('send_email', SEED_SEND_EMAIL)).toEqual({ ok: true });
    expect(validateActionConfig('CALL_API', SEED_CALL_API)).toEqual({ ok: true });
    expect(validateActionConfig('http_request', SEED_CALL_API)).toEqual({ ok: true });
  });

  it('names an unknown field and the fields it knows', () => {
    expect(errorsOf('send_email', { ...SEED_SEND_EMAIL, from: 'me@example.com' })).toEqual([
      { path: '/from', message: 'is not a known field (known: to, cc, bcc, replyTo, template, templateData, subject, body, format)' },
    ]);
    expect(errorsOf('file_operation', { operation: 'list', path: 'reports', options: { recursive: true } })).toEqual([
      { path: '/options', message: expect.stringMatching(/^is not a known field/) },
    ]);
  });

  it('says which field has the wrong type', () => {
    expect(errorsOf('send_email', { template: 42, to: ['a@example.com'] })).toEqual(
      expect.arrayContaining([
        { path: '/to', message: 'must be a string' },
        { path: '/template', message: 'must be a string' },
      ]),
    );
    expect(errorsOf('delay', { durationMs: '5 minutes' })).toEqual([{ path: '/durationMs', message: 'must be an integer' }]);
    expect(errorsOf('update_task', { taskId: '{{ steps.t.output.taskId }}', changes: { assignee: 5 } })).toEqual([
      { path: '/changes/assignee', message: 'must be a string or null' },
    ]);
    expect(errorsOf('send_email', 'welcome_email')).toEqual([{ path: '', message: 'must be an object' }]);
  });

  it('lists every missing required field, with the rule that asks for it', () => {
    expect(errorsOf('send_email', {})).toEqual(
      expect.arrayContaining([
        { path: '/to', message: 'is required' },
        { path: '/subject', message: 'is required unless template is set' },
        { path: '/body', message: 'is required unless template is set' },
      ]),
    );
    expect(errorsOf('http_request', { method: 'POST' })).toEqual([{ path: '/url', message: 'is required' }]);
    expect(errorsOf('file_operation', { operation: 'copy', path: 'a.txt' })).toEqual([{ path: '/targetPath', message: 'is required when operation is copy or move' }]);
    expect(errorsOf('approval', { approvers: { role: 'admin' }, message: 'Approve?', onTimeout: 'escalate' })).toEqual(
      expect.arrayContaining([
        { path: '/timeoutMs', message: 'is required when onTimeout is set' },
        { path: '/escalateTo', message: 'is required when onTimeout is escalate' },
      ]),
    );
  });

  it('refuses fields that do not fit the rest of the config', () => {
    expect(errorsOf('send_email', { ...SEED_SEND_EMAIL, body: 'Hello' })).toEqual([{ path: '/body', message: 'is not allowed when template is set' }]);
    expect(errorsOf('file_operation', { operation: 'delete', path: 'a.txt', encoding: 'base64', overwrite: true })).toEqual([
      { path: '/encoding', message: 'is only allowed when operation is read or write' },
      { path: '/overwrite', message: 'is only allowed when operation is write, copy or move' },
    ]);
    expect(errorsOf('delay', { durationMs: 1000, until: '2030-01-01T00:00:00Z' })).toEqual([{ path: '', message: 'must set only one of: durationMs, until' }]);
  });

  it('checks values inside maps and lists, naming the entry', () => {
    const headerErrors = errorsOf('http_request', { method: 'GET', url: 'https://api.example.com', headers: { 'X Api Key': 'k', Accept: 7 } });
    expect(headerErrors).toHaveLength(2);
    expect(headerErrors).toEqual(
      expect.arrayContaining([
        { path: '/headers/Accept', message: 'must be a string' },
        { path: '/headers/X Api Key', message: 'is not a valid name: must be a valid HTTP header name' },
      ]),
    );
    expect(errorsOf('create_task', { title: 'T', labels: ['a', 'a'] })).toEqual([{ path: '/labels', message: 'must not repeat an item (items 0 and 1 are the same)' }]);
    expect(errorsOf('transform', { assignments: { 'a/b': 'x' } })).toEqual([{ path: '/assignments/a~1b', message: expect.stringMatching(/^is not a valid name/) }]);
  });

  it('refuses an unknown action type', () => {
    expect(validateActionConfig('send_fax', {})).toEqual({ ok: false, errors: [{ path: '', message: 'unknown action type "send_fax"' }] });
  });

  it('compiles every schema when it is made, so a broken schema fails at start', () => {
    const typo = defineAction({
      type: 'typo',
      title: 'Typo',
      group: 'Data',
      icon: 'bug_report',
      description: 'Has a misspelt keyword',
      configSchema: { type: 'object', properties: { name: { type: 'string', maxLenght: 10 } as never }, additionalProperties: false },
      outputs: {},
    });
    expect(() => new ActionConfigValidator([typo])).toThrow(/typo.*maxLenght/);
  });
});

describe('expressionsIn', () => {
  it("finds {{customer_email}} in the seed's send_email step, and nothing in its template name", () => {
    expect(expressionsIn('send_email', SEED_SEND_EMAIL)).toEqual(['customer_email']);
    expect(expressionsIn('SEND_EMAIL', { template: 'welcome_{{x}}', to: 'a@example.com' })).toEqual([]);
  });

  it('finds template parts, JSONata fields and strings deep inside JSON bodies, with their paths', () => {
    const config = {
      method: 'POST',
      url: 'https://crm.example.com/customers/{{ input.customerId }}?src={{source}}',
      headers: { Authorization: 'Bearer {{ vars.token }}' },
      body: { customer: { email: '{{ input.email }}', tags: ['new', '{{ $uppercase(plan) }}'] }, note: 'no expression' },
      responseMapping: { customerName: 'body.name' },
    };
    expect(expressionSitesIn('http_request', config)).toEqual([
      { path: '/url', expression: 'input.customerId', mode: true },
      { path: '/url', expression: 'source', mode: true },
      { path: '/headers/Authorization', expression: 'vars.token', mode: true },
      { path: '/body/customer/email', expression: 'input.email', mode: true },
      { path: '/body/customer/tags/1', expression: '$uppercase(plan)', mode: true },
      { path: '/responseMapping/customerName', expression: 'body.name', mode: 'jsonata' },
    ]);
    expect(expressionsIn('CALL_API', SEED_CALL_API)).toEqual(['customer_data']);
  });

  it('takes the whole value of JSONata fields, which are written without braces', () => {
    expect(expressionsIn('condition', { expression: ' input.amount > 1000 ' })).toEqual(['input.amount > 1000']);
    expect(expressionsIn('transform', { assignments: { total: '$sum(items.price)', n: '$count(items)' } })).toEqual(['$sum(items.price)', '$count(items)']);
    expect(expressionsIn('loop', { items: 'input.customers', itemVariable: 'customer' })).toEqual(['input.customers']);
  });

  it('keeps a JSONata object constructor inside {{ }} whole', () => {
    expect(expressionsIn('webhook_out', { url: 'https://h.example', secretRef: 'S', payload: '{{ {"id": order.id, "meta": {"by": user}} }}' })).toEqual([
      '{"id": order.id, "meta": {"by": user}}',
    ]);
  });

  it('finds nothing for an unknown type or a config that is not an object', () => {
    expect(expressionsIn('send_fax', { to: '{{x}}' })).toEqual([]);
    expect(expressionsIn('send_email', null)).toEqual([]);
  });
});
