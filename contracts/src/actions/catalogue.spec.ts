import { createActionSchemaCompiler, validateActionConfig } from '../../../src/domain/workflow/action-config.validator';
import { ACTION_CATALOGUE, ACTION_GROUPS, ACTION_TYPES, defineAction, findAction, type ActionType, type JsonSchema } from './index';

const UUID = '3f2b8c1e-5d4a-4e2b-9c7f-1a2b3c4d5e6f';

interface Broken {
  config: Record<string, unknown>;
  path: string;
  message: RegExp;
}
/** Per action: configs someone would really write, and mistakes someone would really make. */
const EXAMPLES: Record<ActionType, { valid: Record<string, unknown>[]; broken: Broken[] }> = {
  create_task: {
    valid: [
      {
        title: 'Kick-off meeting for {{ project_name }}',
        description: 'Invite {{ $join(team_members, ", ") }}',
        assignee: '{{ project_manager_id }}',
        dueInDays: 3,
        priority: 'high',
        labels: ['kickoff', 'planning'],
      },
      { title: 'Call the customer back', dueAt: '2030-03-01', assignee: UUID },
    ],
    broken: [
      { config: { title: 'Triage', priority: 'critical' }, path: '/priority', message: /one of: low, medium, high, urgent/ },
      { config: { title: 'Triage', dueAt: '2030-03-01', dueInDays: 2 }, path: '/dueInDays', message: /together with dueAt/ },
      { config: { title: 'Triage', dueAt: 'next friday' }, path: '/dueAt', message: /ISO 8601 date/ },
    ],
  },
  update_task: {
    valid: [
      { taskId: '{{ steps.create_task.output.taskId }}', changes: { status: 'done' }, comment: 'Closed by execution {{ execution.id }}' },
      { taskId: UUID, changes: { assignee: null, addLabels: ['waiting'] } },
    ],
    broken: [
      { config: { taskId: UUID, changes: {} }, path: '/changes', message: /at least 1 of: title, description, status/ },
      { config: { taskId: 'task-42', changes: { status: 'done' } }, path: '/taskId', message: /uuid/ },
    ],
  },
  send_email: {
    valid: [
      { template: 'welcome_email', to: '{{customer_email}}' },
      { to: 'ops@example.com, {{ input.requester }}', subject: 'Invoice {{ input.number }} paid', body: '<p>Paid.</p>', format: 'html' },
      { template: 'invoice_reminder', to: '{{ input.email }}', templateData: { dueDate: '{{ input.dueDate }}' }, subject: 'Reminder' },
    ],
    broken: [
      { config: { to: 'a@example.com', subject: 'Hi' }, path: '/body', message: /^is required unless template is set$/ },
      { config: { template: 'welcome_email', to: 'a@example.com', body: 'Hi' }, path: '/body', message: /^is not allowed when template is set$/ },
      { config: { template: 'Welcome Email!', to: 'a@example.com' }, path: '/template', message: /template name/ },
    ],
  },
  send_notification: {
    valid: [
      { recipients: { role: 'admin' }, title: 'Invoice {{ input.number }} needs review', message: 'Amount: {{ input.amount }}', severity: 'warning' },
      { recipients: { userIds: [UUID, '{{ input.ownerId }}'] }, title: 'Done', message: 'All set', channels: ['in_app', 'email'] },
    ],
    broken: [
      { config: { recipients: { userIds: [] }, title: 'x', message: 'y' }, path: '/recipients/userIds', message: /at least 1 item/ },
      { config: { recipients: { role: 'admin', userIds: [UUID] }, title: 'x', message: 'y' }, path: '/recipients', message: /exactly one of: userIds, role/ },
    ],
  },
  http_request: {
    valid: [
      { url: '/api/customers', method: 'POST', data: '{{customer_data}}' },
      {
        method: 'GET',
        url: 'https://crm.example.com/customers/{{ input.customerId }}',
        query: { expand: 'orders' },
        headers: { Authorization: 'Bearer {{ vars.crmToken }}', Accept: 'application/json' },
        timeoutMs: 5000,
        responseMapping: { customerName: 'body.name', orderCount: '$count(body.orders)' },
        failOnStatus: ['5xx', '404'],
      },
      { method: 'POST', url: 'https://api.example.com/leads', body: { email: '{{ input.email }}', score: 42 }, bodyType: 'json' },
    ],
    broken: [
      { config: { method: 'FETCH', url: 'https://api.example.com' }, path: '/method', message: /one of: GET, POST/ },
      { config: { method: 'GET', url: 'https://api.example.com', body: { a: 1 } }, path: '/body', message: /^is not allowed when method is GET or HEAD$/ },
      { config: { method: 'GET', url: 'ftp://files.example.com' }, path: '/url', message: /http\(s\) URL/ },
      { config: { method: 'GET', url: 'https://x.example', headers: { 'Bad Header': 'x' } }, path: '/headers/Bad Header', message: /HTTP header name/ },
      { config: { method: 'POST', url: 'https://x.example', failOnStatus: ['error'] }, path: '/failOnStatus/0', message: /status code/ },
    ],
  },
  webhook_out: {
    valid: [
      {
        url: 'https://hooks.example.com/orders',
        secretRef: 'ORDERS_WEBHOOK_SECRET',
        event: 'order.approved',
        payload: { orderId: '{{ input.orderId }}', approvedBy: '{{ steps.approval.output.decidedBy }}' },
      },
    ],
    broken: [
      { config: { url: 'https://hooks.example.com/orders', payload: {} }, path: '/secretRef', message: /^is required$/ },
      { config: { url: '/relative', secretRef: 'S', payload: {} }, path: '/url', message: /http\(s\) URL/ },
    ],
  },
  ai_classify: {
    valid: [
      {
        text: '{{ input.ticket.subject }}: {{ input.ticket.body }}',
        labels: ['bug', 'question', 'billing'],
        examples: [
          { text: 'The app crashes when I log in', label: 'bug' },
          { text: 'How do I export my data?', label: 'question' },
          { text: 'I was charged twice this month', label: 'billing' },
        ],
        minConfidence: 0.6,
        fallbackLabel: 'question',
      },
    ],
    broken: [
      { config: { text: 'x', labels: ['bug'], examples: [{ text: 'a', label: 'bug' }, { text: 'b', label: 'bug' }] }, path: '/labels', message: /at least 2 items/ },
      { config: { text: 'x', labels: ['a', 'b'], examples: [{ text: 'a' }, { text: 'b', label: 'b' }] }, path: '/examples/0/label', message: /^is required$/ },
      { config: { text: 'x', labels: ['a', 'b'], examples: [{ text: 'a', label: 'a' }, { text: 'b', label: 'b' }], minConfidence: 0.5 }, path: '/fallbackLabel', message: /when minConfidence is set/ },
    ],
  },
  ai_analyze: {
    valid: [{ text: '{{ input.feedback }}', analyses: ['sentiment', 'key_phrases', 'summary'], maxKeyPhrases: 5, summarySentences: 2 }],
    broken: [
      { config: { text: '{{ input.feedback }}', analyses: ['emotion'] }, path: '/analyses/0', message: /sentiment, key_phrases, summary/ },
      { config: { text: '{{ input.feedback }}', analyses: [] }, path: '/analyses', message: /at least 1 item/ },
    ],
  },
  file_operation: {
    valid: [
      { operation: 'write', path: 'reports/{{ input.month }}.csv', content: 'customer,total\n', overwrite: true },
      { operation: 'copy', path: 'inbox/invoice.pdf', targetPath: 'archive/{{ input.year }}/invoice.pdf' },
      { operation: 'list', path: 'reports' },
      { operation: 'read', path: 'templates/contract.txt', encoding: 'utf8' },
    ],
    broken: [
      { config: { operation: 'move', path: 'a.txt' }, path: '/targetPath', message: /^is required when operation is copy or move$/ },
      { config: { operation: 'read', path: '../etc/passwd' }, path: '/path', message: /relative to the storage root/ },
      { config: { operation: 'read', path: 'a.txt', content: 'x' }, path: '/content', message: /^is only allowed when operation is write$/ },
      { config: { operation: 'rename', path: 'a.txt' }, path: '/operation', message: /read, write, copy, move, delete, list/ },
    ],
  },
  approval: {
    valid: [
      {
        approvers: { userIds: ['{{ input.managerId }}'] },
        title: 'Time off for {{ input.employee }}',
        message: 'Approve {{ input.days }} days off from {{ input.from }}?',
        timeoutMs: 172_800_000,
        onTimeout: 'escalate',
        escalateTo: { role: 'admin' },
      },
      { approvers: { role: 'admin' }, mode: 'any', message: 'Approve the expense of {{ input.amount }}?' },
    ],
    broken: [
      { config: { approvers: { role: 'admin' }, message: 'x', timeoutMs: 86_400_000, onTimeout: 'escalate' }, path: '/escalateTo', message: /^is required when onTimeout is escalate$/ },
      { config: { approvers: { role: 'boss' }, message: 'x' }, path: '/approvers/role', message: /owner, admin, editor, viewer/ },
      { config: { approvers: { role: 'admin' }, message: 'x', onTimeout: 'approve' }, path: '/timeoutMs', message: /when onTimeout is set/ },
    ],
  },
  condition: {
    valid: [{ expression: 'input.amount > 1000 and steps.classify.output.label = "urgent"' }],
    broken: [
      { config: { expression: '' }, path: '/expression', message: /must not be empty/ },
      { config: {}, path: '/expression', message: /^is required$/ },
    ],
  },
  loop: {
    valid: [{ items: 'input.customers', itemVariable: 'customer', maxIterations: 500 }, { items: 'steps.list.output.entries' }],
    broken: [
      { config: { items: 'input.customers', itemVariable: '1st' }, path: '/itemVariable', message: /letters, digits and _/ },
      { config: { items: 'input.customers', maxIterations: 0 }, path: '/maxIterations', message: /at least 1/ },
    ],
  },
  transform: {
    valid: [{ assignments: { total: '$sum(input.items.price)', customerName: '$uppercase(input.customer.name)' } }],
    broken: [
      { config: { assignments: {} }, path: '/assignments', message: /at least 1 entry/ },
      { config: { assignments: { 'first-name': 'input.name' } }, path: '/assignments/first-name', message: /^is not a valid name/ },
    ],
  },
  delay: {
    valid: [{ durationMs: 3_600_000 }, { until: '2030-01-01T09:00:00+01:00' }, { until: '{{ input.followUpAt }}' }],
    broken: [
      { config: { durationMs: 1000, until: '2030-01-01T09:00:00Z' }, path: '', message: /^must set only one of: durationMs, until$/ },
      { config: {}, path: '', message: /^must set exactly one of: durationMs, until$/ },
      { config: { until: 'tomorrow' }, path: '/until', message: /ISO 8601 date-time/ },
    ],
  },
  sub_workflow: {
    valid: [{ workflowId: UUID, version: 3, input: { customerId: '{{ input.customerId }}', plan: 'pro' }, wait: true }, { workflowId: UUID }],
    broken: [
      { config: { workflowId: 'onboarding' }, path: '/workflowId', message: /valid uuid/ },
      { config: { workflowId: UUID, input: { 'bad name': 1 } }, path: '/input/bad name', message: /^is not a valid name/ },
      { config: { workflowId: UUID, version: 0 }, path: '/version', message: /at least 1/ },
    ],
  },
};

type Node = JsonSchema | boolean | undefined;
const asSchema = (node: Node): JsonSchema | undefined => (node && typeof node === 'object' ? node : undefined);

/** The schema and its subschemas that describe the same value (not its properties or items). */
function sameValue(schema: JsonSchema): JsonSchema[] {
  const nested = [
    ...(schema.allOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...[schema.if, schema.then, schema.else, schema.not].flatMap((s) => (s ? [s] : [])),
    ...Object.values(schema.dependentSchemas ?? {}),
  ];
  return [schema, ...nested.flatMap(sameValue)];
}

/** Calls `visit` with every subschema that describes a value of its own (the schema, its properties, items, map values, names). */
function everyValueSchema(schema: JsonSchema, path: string, visit: (schema: JsonSchema, path: string) => void): void {
  for (const s of sameValue(schema)) {
    visit(s, path);
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      const child = asSchema(property);
      if (child) everyValueSchema(child, `${path}/${name}`, visit);
    }
    for (const [key, child] of [['[]', asSchema(s.items)], ['*', asSchema(s.additionalProperties)], ['(name)', s.propertyNames]] as const) {
      if (child) everyValueSchema(child, `${path}/${key}`, visit);
    }
  }
}

describe('the action catalogue', () => {
  it('has the 14 action types of SPEC B3 and the loop step of B2, each once', () => {
    const spec = [
      ...['create_task', 'update_task', 'send_email', 'send_notification', 'http_request', 'webhook_out', 'ai_classify'],
      ...['ai_analyze', 'file_operation', 'approval', 'condition', 'delay', 'transform', 'sub_workflow'],
    ];
    expect([...ACTION_TYPES].sort()).toEqual([...spec, 'loop'].sort());
    expect(new Set(ACTION_TYPES).size).toBe(ACTION_CATALOGUE.length);
  });

  it('describes every action for the palette', () => {
    for (const action of ACTION_CATALOGUE) {
      const described = {
        type: action.type,
        title: action.title.length > 0,
        group: ACTION_GROUPS.includes(action.group),
        icon: /^[a-z][a-z0-9_]*$/.test(action.icon),
        description: action.description.length >= 20,
      };
      expect(described).toEqual({ type: action.type, title: true, group: true, icon: true, description: true });
    }
  });

  it('gives every action sane defaults and frozen, plain-JSON data', () => {
    for (const action of ACTION_CATALOGUE) {
      const { retryPolicy, timeoutMs } = action.defaults;
      expect(retryPolicy.maxAttempts).toBeGreaterThanOrEqual(1);
      expect(retryPolicy.maxIntervalMs).toBeGreaterThanOrEqual(retryPolicy.initialIntervalMs);
      expect(retryPolicy.nonRetryableErrors).toContain('InvalidConfig');
      expect(timeoutMs).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(action))).toEqual(action);
      expect(Object.isFrozen(action.configSchema.properties)).toBe(true);
    }
    expect(() => ((findAction('send_email')!.configSchema.required as string[]).push('cc'))).toThrow(TypeError);
  });

  it('compiles every config schema and every output schema in ajv strict mode', () => {
    const ajv = createActionSchemaCompiler();
    for (const action of ACTION_CATALOGUE) {
      expect(() => ajv.compile(action.configSchema)).not.toThrow();
      expect(() => ajv.compile(action.outputs)).not.toThrow();
    }
  });

  // ajv's strictRequired is off (it cannot see through if/then/oneOf); this is the check it would make.
  it('only requires or constrains fields an object declares', () => {
    const problems: string[] = [];
    for (const action of ACTION_CATALOGUE) {
      everyValueSchema(action.configSchema, action.type, (schema, path) => {
        if (!schema.properties || schema.additionalProperties !== false) return;
        const declared = new Set(Object.keys(schema.properties));
        for (const s of sameValue(schema)) {
          const named = [
            ...(s.required ?? []),
            ...Object.entries(s.dependentRequired ?? {}).flat(2),
            ...Object.keys(s.dependentSchemas ?? {}),
            ...(s === schema ? [] : Object.keys(s.properties ?? {})),
          ];
          for (const name of named) if (!declared.has(name)) problems.push(`${path}: ${name}`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('bounds every string, list and map a config may hold', () => {
    const unbounded: string[] = [];
    for (const action of ACTION_CATALOGUE) {
      everyValueSchema(action.configSchema, action.type, (schema, path) => {
        const types = ([] as string[]).concat(schema.type ?? []);
        const fixed = schema.enum !== undefined || schema.const !== undefined;
        if (types.includes('string') && !fixed && schema.maxLength === undefined && schema.format !== 'uuid') unbounded.push(`${path} (string)`);
        const enumItems = asSchema(schema.items)?.enum !== undefined && schema.uniqueItems;
        if (types.includes('array') && schema.maxItems === undefined && !enumItems) unbounded.push(`${path} (list)`);
        const map = types.includes('object') && schema.additionalProperties !== false && schema.additionalProperties !== undefined;
        if (map && schema.maxProperties === undefined) unbounded.push(`${path} (map)`);
      });
    }
    expect(unbounded).toEqual([]);
  });

  it('marks the fields that hold expressions, and only strings or JSON values', () => {
    const marked: string[] = [];
    for (const action of ACTION_CATALOGUE) {
      everyValueSchema(action.configSchema, action.type, (schema, path) => {
        if (schema['x-expression'] === undefined) return;
        marked.push(path);
        const types = ([] as string[]).concat(schema.type ?? ['any']);
        expect({ path, types: types.filter((t) => !['string', 'null', 'object', 'any'].includes(t)) }).toEqual({ path, types: [] });
      });
    }
    expect(marked).toEqual(expect.arrayContaining(['send_email/to', 'http_request/url', 'http_request/body', 'condition/expression', 'transform/assignments/*', 'loop/items']));
  });

  it('names the branches a step chooses between', () => {
    expect(Object.fromEntries(ACTION_CATALOGUE.filter((a) => a.branches.length > 0).map((a) => [a.type, a.branches]))).toEqual({
      condition: ['true', 'false'],
      approval: ['approved', 'rejected'],
      loop: ['each', 'done'],
    });
  });

  it('resolves types and the seed aliases in any letter case', () => {
    expect(findAction('SEND_EMAIL')?.type).toBe('send_email');
    expect(findAction('send_email')?.type).toBe('send_email');
    expect(findAction('CALL_API')?.type).toBe('http_request');
    expect(findAction('call_api')?.type).toBe('http_request');
    expect(findAction('Http_Request')?.type).toBe('http_request');
    expect(findAction('send_fax')).toBeUndefined();
    expect(findAction('')).toBeUndefined();
  });

  it('refuses an action spec that breaks the conventions', () => {
    const base = {
      title: 'X',
      group: 'Data' as const,
      icon: 'x',
      description: 'Does x',
      configSchema: { type: 'object' as const, properties: {}, additionalProperties: false as const },
      outputs: {},
    };
    expect(() => defineAction({ ...base, type: 'SendFax' })).toThrow(/snake_case/);
    expect(() => defineAction({ ...base, type: 'x', defaults: { retryPolicy: { maxAttempts: 0 } } })).toThrow(/maxAttempts/);
    expect(() => defineAction({ ...base, type: 'x', configSchema: { ...base.configSchema, additionalProperties: true as never } })).toThrow(/additionalProperties/);
    expect(defineAction({ ...base, type: 'x' }).defaults.retryPolicy.maxAttempts).toBe(3);
  });

  it('has examples for every action type', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...ACTION_TYPES].sort());
  });

  describe.each(ACTION_CATALOGUE.map((a) => [a.type] as const))('%s', (type) => {
    const { valid, broken } = EXAMPLES[type];

    it.each(valid.map((config) => [JSON.stringify(config).slice(0, 80), config]))('accepts %s', (_label, config) => {
      expect(validateActionConfig(type, config)).toEqual({ ok: true });
    });

    it.each(broken.map((b) => [b.path || '(the config)', b]))('rejects a mistake at %s', (_label, { config, path, message }) => {
      const result = validateActionConfig(type, config);
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
    });
  });
});
