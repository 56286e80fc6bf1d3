import type { EdgeDefinition, StepDefinition, WorkflowCommand, TriggerDefinition, VariableDefinition, WorkflowDefinition } from '@contracts';
import { DEFINITION_LIMITS } from '@contracts';
import { specFor } from '../testing/given-when-then';
import { diffDefinitions, isEmptyDiff } from './definition-diff';
import { workflowDecider, type WorkflowDecidedEvent } from './workflow.decider';

/**
 * Every rule of decideGraph (SPEC A2), and publishing / rolling back (A3, A4), given/when/then
 * through the workflow decider: graph commands are only reachable through it.
 */

const workflowId = '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10';
const metadata = {
  commandId: 'c1',
  correlationId: 'c1',
  causationId: 'c1',
  actor: { kind: 'user' as const, id: 'u1' },
  workspaceId: 'ws1',
  occurredAt: '2026-11-28T10:00:00.000Z',
};
const given = specFor(workflowDecider, metadata);
const stateAfter = (...events: WorkflowDecidedEvent[]) => events.reduce(workflowDecider.evolve, workflowDecider.initialState());
/** The events a command decides after `events` (for checks on the state they lead to). */
const decide = (events: WorkflowDecidedEvent[], command: { type: string; data: unknown }) =>
  workflowDecider.decide({ ...command, metadata } as WorkflowCommand, stateAfter(...events));

const created: WorkflowDecidedEvent = { type: 'WorkflowCreated', data: { workflowId, workspaceId: 'ws1', name: 'Onboarding', description: '' } };
const archived: WorkflowDecidedEvent = { type: 'WorkflowArchived', data: { workflowId } };

// Configs people really write (contracts/src/actions/catalogue.spec.ts EXAMPLES), reading only
// roots every expression may use, so a graph of them validates.
const welcomeEmail = { template: 'welcome_email', to: '{{ input.email }}' };
const kickoffTask = { title: 'Kick-off meeting for {{ input.projectName }}', dueInDays: 3, priority: 'high', labels: ['kickoff', 'planning'] };
const crmLookup = {
  method: 'GET',
  url: 'https://crm.example.com/customers/{{ input.customerId }}',
  query: { expand: 'orders' },
  headers: { Accept: 'application/json' },
  timeoutMs: 5000,
  failOnStatus: ['5xx', '404'],
};
const bigOrder = { expression: 'input.amount > 1000 and steps.classify.output.label = "urgent"' };

const step = (id: string, type = 'send_email', config: Record<string, unknown> = welcomeEmail, extra: Partial<StepDefinition> = {}): StepDefinition => ({
  id,
  name: `Step ${id}`,
  type,
  config,
  position: { x: 0, y: 0 },
  errorStrategy: 'fail',
  ...extra,
});
const added = (s: StepDefinition): WorkflowDecidedEvent => ({ type: 'StepAdded', data: { workflowId, step: s } });
const connected = (id: string, from: string, to: string, extra: Partial<EdgeDefinition> = {}): WorkflowDecidedEvent => ({
  type: 'StepsConnected',
  data: { workflowId, edge: { id, from, to, ...extra } },
});
const declared = (variable: VariableDefinition): WorkflowDecidedEvent => ({ type: 'VariableDeclared', data: { workflowId, variable } });
const trigger = (id: string): TriggerDefinition => ({ id, kind: 'cron', name: `Nightly ${id}`, enabled: true, config: { cron: '0 2 * * *' } });
const triggerAdded = (t: TriggerDefinition): WorkflowDecidedEvent => ({ type: 'TriggerAdded', data: { workflowId, trigger: t } });
const published = (version: number, definition: WorkflowDefinition, note = ''): WorkflowDecidedEvent => ({
  type: 'WorkflowVersionPublished',
  data: { workflowId, version, note, definition },
});

const a = step('a', 'send_email', welcomeEmail);
const b = step('b', 'create_task', kickoffTask);
const c = step('c', 'http_request', crmLookup);
/** a -> b -> c, a -> c. */
const threeSteps = [created, added(a), added(b), added(c), connected('e1', 'a', 'b'), connected('e2', 'b', 'c'), connected('e3', 'a', 'c')];

describe('workflow graph edits', () => {
  describe('AddStep', () => {
    it('adds a step with a trimmed name and its config as given', () =>
      given(created)
        .when({ type: 'AddStep', data: { workflowId, step: { ...a, name: '  Send welcome e-mail ' } } })
        .then([added({ ...a, name: 'Send welcome e-mail' })]));

    it('accepts a config the action schema refuses: the validator reports it until it is fixed', () =>
      given(created)
        .when({ type: 'AddStep', data: { workflowId, step: step('a', 'send_email', { to: 'a@example.com', subject: 'Hi' }) } })
        .then([added(step('a', 'send_email', { to: 'a@example.com', subject: 'Hi' }))]));

    it('accepts an action alias in any letter case', () =>
      given(created).when({ type: 'AddStep', data: { workflowId, step: step('a', 'CALL_API', crmLookup) } }).then([added(step('a', 'CALL_API', crmLookup))]));

    it('refuses an id that is not 1 to 64 letters, digits, - or _', () => {
      for (const id of ['', 'has space', 'a/b', 'x'.repeat(65), 'ünïcode']) {
        given(created).when({ type: 'AddStep', data: { workflowId, step: step(id) } }).thenFails('invalid-step-id', 'rule_violated');
      }
      given(created).when({ type: 'AddStep', data: { workflowId, step: step('x'.repeat(64)) } }).then([added(step('x'.repeat(64)))]);
    });

    it('refuses an id that is taken', () =>
      given(created, added(a)).when({ type: 'AddStep', data: { workflowId, step: step('a', 'create_task', kickoffTask) } }).thenFails('step-exists', 'conflict'));

    it(`refuses step ${DEFINITION_LIMITS.steps + 1}`, () => {
      const full = Array.from({ length: DEFINITION_LIMITS.steps }, (_, i) => added(step(`s${i}`)));
      given(created, ...full).when({ type: 'AddStep', data: { workflowId, step: step('one_more') } }).thenFails('too-many-steps', 'rule_violated');
      given(created, ...full.slice(1)).when({ type: 'AddStep', data: { workflowId, step: step('one_more') } }).then([added(step('one_more'))]);
    });

    it('refuses an action type the catalogue does not know', () =>
      given(created).when({ type: 'AddStep', data: { workflowId, step: step('a', 'send_fax', {}) } }).thenFails('unknown-action-type', 'rule_violated'));

    it('refuses a blank name and one over the limit', () => {
      given(created).when({ type: 'AddStep', data: { workflowId, step: { ...a, name: '   ' } } }).thenFails('step-name-required', 'rule_violated');
      const long = 'n'.repeat(DEFINITION_LIMITS.stepNameLength + 1);
      given(created).when({ type: 'AddStep', data: { workflowId, step: { ...a, name: long } } }).thenFails('step-name-too-long', 'rule_violated');
      // The limit counts the trimmed name.
      const atLimit = 'n'.repeat(DEFINITION_LIMITS.stepNameLength);
      given(created).when({ type: 'AddStep', data: { workflowId, step: { ...a, name: ` ${atLimit} ` } } }).then([added({ ...a, name: atLimit })]);
    });

    it('refuses a config that is not a JSON object, or is too large', () => {
      for (const config of [null, [], 'to: a@example.com', 42]) {
        given(created)
          .when({ type: 'AddStep', data: { workflowId, step: step('a', 'send_email', config as never) } })
          .thenFails('invalid-config', 'rule_violated');
      }
      const huge = { to: 'a@example.com', subject: 'Report', body: 'x'.repeat(DEFINITION_LIMITS.configBytes) };
      given(created).when({ type: 'AddStep', data: { workflowId, step: step('a', 'send_email', huge) } }).thenFails('config-too-large', 'rule_violated');
    });

    // BUG: MoveStep refuses a position that is not finite (invalid-position), but AddStep stores
    // any position it is given: {x: NaN} is kept in the draft (and becomes null once serialised).
    // The HTTP DTO bounds positions, so the API cannot send one today; the decider itself, which
    // owns the rule, lets it through.
    it('refuses a step placed at a position that is not finite, as MoveStep does', () =>
      given(created)
        .when({ type: 'AddStep', data: { workflowId, step: { ...a, position: { x: Number.NaN, y: 0 } } } })
        .thenFails('invalid-position', 'rule_violated'));
  });

  describe('ConfigureStep', () => {
    it('replaces the config of a step', () =>
      given(created, added(a))
        .when({ type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: { template: 'invoice_reminder', to: '{{ input.email }}' } } })
        .then([{ type: 'StepConfigured', data: { workflowId, stepId: 'a', config: { template: 'invoice_reminder', to: '{{ input.email }}' } } }]));

    it('refuses an unknown step, a config that is not an object and one too large', () => {
      given(created, added(a)).when({ type: 'ConfigureStep', data: { workflowId, stepId: 'nope', config: welcomeEmail } }).thenFails('step-not-found', 'not_found');
      given(created, added(a)).when({ type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: [] as never } }).thenFails('invalid-config', 'rule_violated');
      const atLimit = { body: 'x'.repeat(DEFINITION_LIMITS.configBytes - JSON.stringify({ body: '' }).length) };
      given(created, added(a))
        .when({ type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: atLimit } })
        .then([{ type: 'StepConfigured', data: { workflowId, stepId: 'a', config: atLimit } }]);
      given(created, added(a))
        .when({ type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: { body: `${atLimit.body}x` } } })
        .thenFails('config-too-large', 'rule_violated');
    });

    // BUG: the limit is DEFINITION_LIMITS.configBytes and the message says "bytes", but
    // validConfig measures JSON.stringify(config).length, UTF-16 code units: 30,000 euro signs
    // (90,000 bytes of UTF-8, the encoding the API and PostgreSQL store) pass a 65,536-byte limit.
    it('measures the config limit in bytes (UTF-8), not characters', () => {
      const euros = { to: 'a@example.com', subject: 'Prices', body: '€'.repeat(30_000) };
      expect(Buffer.byteLength(JSON.stringify(euros))).toBeGreaterThan(DEFINITION_LIMITS.configBytes);
      given(created, added(a)).when({ type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: euros } }).thenFails('config-too-large', 'rule_violated');
    });
  });

  describe('RenameStep', () => {
    it('renames with a trimmed name; the same name decides nothing', () => {
      given(created, added(a))
        .when({ type: 'RenameStep', data: { workflowId, stepId: 'a', name: ' Greet the customer ' } })
        .then([{ type: 'StepRenamed', data: { workflowId, stepId: 'a', name: 'Greet the customer' } }]);
      given(created, added(a)).when({ type: 'RenameStep', data: { workflowId, stepId: 'a', name: ` ${a.name}  ` } }).then([]);
    });

    it('refuses an unknown step, a blank name and one too long', () => {
      given(created, added(a)).when({ type: 'RenameStep', data: { workflowId, stepId: 'b', name: 'X' } }).thenFails('step-not-found', 'not_found');
      given(created, added(a)).when({ type: 'RenameStep', data: { workflowId, stepId: 'a', name: '\t ' } }).thenFails('step-name-required', 'rule_violated');
      given(created, added(a))
        .when({ type: 'RenameStep', data: { workflowId, stepId: 'a', name: 'n'.repeat(DEFINITION_LIMITS.stepNameLength + 1) } })
        .thenFails('step-name-too-long', 'rule_violated');
    });
  });

  describe('MoveStep', () => {
    it('moves a step; the same place decides nothing', () => {
      given(created, added(a))
        .when({ type: 'MoveStep', data: { workflowId, stepId: 'a', position: { x: 240, y: -80.5 } } })
        .then([{ type: 'StepMoved', data: { workflowId, stepId: 'a', position: { x: 240, y: -80.5 } } }]);
      given(created, added(a)).when({ type: 'MoveStep', data: { workflowId, stepId: 'a', position: { x: 0, y: 0 } } }).then([]);
    });

    it('refuses an unknown step and a position that is not finite', () => {
      given(created, added(a)).when({ type: 'MoveStep', data: { workflowId, stepId: 'b', position: { x: 1, y: 1 } } }).thenFails('step-not-found', 'not_found');
      for (const position of [{ x: Number.NaN, y: 0 }, { x: 0, y: Number.POSITIVE_INFINITY }, { x: Number.NEGATIVE_INFINITY, y: 1 }]) {
        given(created, added(a)).when({ type: 'MoveStep', data: { workflowId, stepId: 'a', position } }).thenFails('invalid-position', 'rule_violated');
      }
    });
  });

  describe('ChangeStepPolicy', () => {
    const retryPolicy = { maxAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000, jitter: 0.2, nonRetryableErrors: ['InvalidConfig'] };

    it('sets the strategy, retry policy and timeout; an error branch without its edge yet is allowed', () =>
      given(created, added(a))
        .when({ type: 'ChangeStepPolicy', data: { workflowId, stepId: 'a', errorStrategy: 'error_branch', retryPolicy, timeoutMs: 30_000 } })
        .then([{ type: 'StepPolicyChanged', data: { workflowId, stepId: 'a', errorStrategy: 'error_branch', retryPolicy, timeoutMs: 30_000 } }]));

    it('drops the retry policy and timeout it is not given: the action defaults apply again', () => {
      const withPolicy = added({ ...a, retryPolicy, timeoutMs: 30_000 });
      const events = decide([created, withPolicy], { type: 'ChangeStepPolicy', data: { workflowId, stepId: 'a', errorStrategy: 'continue' } });
      expect(events).toEqual([{ type: 'StepPolicyChanged', data: { workflowId, stepId: 'a', errorStrategy: 'continue' } }]);
      expect(stateAfter(created, withPolicy, ...events).definition.steps).toStrictEqual([{ ...a, errorStrategy: 'continue' }]);
    });

    it('refuses an unknown step', () =>
      given(created).when({ type: 'ChangeStepPolicy', data: { workflowId, stepId: 'a', errorStrategy: 'fail' } }).thenFails('step-not-found', 'not_found'));
  });

  describe('RemoveStep', () => {
    it('disconnects every edge from or to the step first, then removes it', () =>
      given(...threeSteps)
        .when({ type: 'RemoveStep', data: { workflowId, stepId: 'b' } })
        .then([
          { type: 'StepsDisconnected', data: { workflowId, edgeId: 'e1' } },
          { type: 'StepsDisconnected', data: { workflowId, edgeId: 'e2' } },
          { type: 'StepRemoved', data: { workflowId, stepId: 'b' } },
        ]));

    it('leaves a graph without edges to the removed step', () => {
      const events = decide(threeSteps, { type: 'RemoveStep', data: { workflowId, stepId: 'b' } });
      const { definition } = stateAfter(...threeSteps, ...events);
      expect(definition.steps.map((s) => s.id)).toEqual(['a', 'c']);
      expect(definition.edges).toEqual([{ id: 'e3', from: 'a', to: 'c' }]);
    });

    it('removes an unconnected step alone, and refuses an unknown one', () => {
      given(created, added(a)).when({ type: 'RemoveStep', data: { workflowId, stepId: 'a' } }).then([{ type: 'StepRemoved', data: { workflowId, stepId: 'a' } }]);
      given(created, added(a)).when({ type: 'RemoveStep', data: { workflowId, stepId: 'b' } }).thenFails('step-not-found', 'not_found');
    });
  });

  describe('ConnectSteps', () => {
    const twoSteps = [created, added(a), added(b)];
    const connect = (edge: EdgeDefinition) => ({ type: 'ConnectSteps' as const, data: { workflowId, edge } });

    it('connects two steps, with a condition and a label', () => {
      const edge = { id: 'big', from: 'a', to: 'b', condition: 'input.amount > 1000', label: 'true' };
      given(...twoSteps).when(connect(edge)).then([connected('big', 'a', 'b', { condition: 'input.amount > 1000', label: 'true' })]);
    });

    it('refuses an id that is not 1 to 64 letters, digits, - or _', () => {
      for (const id of ['', 'e 1', 'x'.repeat(65)]) given(...twoSteps).when(connect({ id, from: 'a', to: 'b' })).thenFails('invalid-edge-id', 'rule_violated');
    });

    it('refuses an edge id that is taken', () =>
      given(...threeSteps).when(connect({ id: 'e1', from: 'b', to: 'a' })).thenFails('edge-exists', 'conflict'));

    it('refuses a second edge between the same steps with the same label', () => {
      given(...threeSteps).when(connect({ id: 'again', from: 'a', to: 'b' })).thenFails('edge-exists', 'conflict');
      given(...threeSteps).when(connect({ id: 'again', from: 'a', to: 'b', label: '' })).thenFails('edge-exists', 'conflict');
      // Another label is another branch; the reverse direction is another edge.
      given(...threeSteps).when(connect({ id: 'err', from: 'a', to: 'b', label: 'error' })).then([connected('err', 'a', 'b', { label: 'error' })]);
      given(...threeSteps).when(connect({ id: 'back', from: 'b', to: 'a' })).then([connected('back', 'b', 'a')]);
    });

    it('refuses an edge from or to a step that does not exist', () => {
      given(...twoSteps).when(connect({ id: 'e', from: 'a', to: 'ghost' })).thenFails('dangling-edge', 'rule_violated');
      given(...twoSteps).when(connect({ id: 'e', from: 'ghost', to: 'b' })).thenFails('dangling-edge', 'rule_violated');
    });

    it('refuses a step leading to itself', () =>
      given(...twoSteps).when(connect({ id: 'e', from: 'a', to: 'a' })).thenFails('self-loop', 'rule_violated'));

    it(`refuses edge ${DEFINITION_LIMITS.edges + 1}`, () => {
      // Distinct labels make every edge a branch of its own.
      const full = Array.from({ length: DEFINITION_LIMITS.edges }, (_, i) => connected(`e${i}`, 'a', 'b', { label: `l${i}` }));
      given(...twoSteps, ...full).when(connect({ id: 'last', from: 'b', to: 'a' })).thenFails('too-many-edges', 'rule_violated');
      given(...twoSteps, ...full.slice(1)).when(connect({ id: 'last', from: 'b', to: 'a' })).then([connected('last', 'b', 'a')]);
    });
  });

  describe('DisconnectSteps', () => {
    it('disconnects an edge, once', () => {
      given(...threeSteps).when({ type: 'DisconnectSteps', data: { workflowId, edgeId: 'e2' } }).then([{ type: 'StepsDisconnected', data: { workflowId, edgeId: 'e2' } }]);
      given(...threeSteps, { type: 'StepsDisconnected', data: { workflowId, edgeId: 'e2' } })
        .when({ type: 'DisconnectSteps', data: { workflowId, edgeId: 'e2' } })
        .thenFails('edge-not-found', 'not_found');
    });
  });

  describe('DeclareVariable', () => {
    const email: VariableDefinition = { name: 'customer_email', type: 'string', required: true, description: 'Where the welcome goes' };
    const declare = (variable: VariableDefinition) => ({ type: 'DeclareVariable' as const, data: { workflowId, variable } });

    it('declares a variable with a default of its type', () => {
      given(created).when(declare(email)).then([declared(email)]);
      const samples: [VariableDefinition['type'], unknown][] = [
        ['string', 'pro'], ['number', 42.5], ['boolean', false], ['object', { plan: 'pro' }], ['array', ['a', 'b']], ['date', '2030-03-01'],
      ];
      for (const [type, value] of samples) {
        const variable: VariableDefinition = { name: `v_${type}`, type, default: value, required: false };
        given(created).when(declare(variable)).then([declared(variable)]);
      }
    });

    it('replaces a variable of the same name in place, even at the limit', () => {
      const others = Array.from({ length: DEFINITION_LIMITS.variables - 1 }, (_, i) => declared({ name: `v${i}`, type: 'string', required: false }));
      const history = [created, declared(email), ...others];
      const asNumber: VariableDefinition = { name: 'customer_email', type: 'number', default: 3, required: false };
      const events = decide(history, declare(asNumber));
      expect(events).toEqual([declared(asNumber)]);
      const { variables } = stateAfter(...history, ...events).definition;
      expect(variables).toHaveLength(DEFINITION_LIMITS.variables);
      expect(variables[0]).toEqual(asNumber);
      given(...history).when(declare({ name: 'one_more', type: 'string', required: false })).thenFails('too-many-variables', 'rule_violated');
    });

    it('refuses a name that is not an identifier', () => {
      for (const name of ['', '1st', 'first-name', 'has space', 'x'.repeat(65), '$total']) {
        given(created).when(declare({ ...email, name })).thenFails('invalid-variable-name', 'rule_violated');
      }
    });

    it('refuses a type outside the variable types', () =>
      given(created).when(declare({ ...email, type: 'text' as never })).thenFails('invalid-variable-type', 'rule_violated'));

    it('refuses a default that is not of the declared type', () => {
      const wrong: [VariableDefinition['type'], unknown][] = [
        ['string', 3], ['number', '3'], ['number', Number.NaN], ['boolean', 'yes'], ['object', []], ['object', null], ['array', {}], ['date', 'next friday'],
      ];
      for (const [type, value] of wrong) {
        given(created).when(declare({ name: 'v', type, default: value, required: false })).thenFails('variable-default-type', 'rule_violated');
      }
    });
  });

  describe('RemoveVariable', () => {
    it('removes a declared variable, once', () => {
      const v = declared({ name: 'plan', type: 'string', required: false });
      given(created, v).when({ type: 'RemoveVariable', data: { workflowId, name: 'plan' } }).then([{ type: 'VariableRemoved', data: { workflowId, name: 'plan' } }]);
      given(created, v, { type: 'VariableRemoved', data: { workflowId, name: 'plan' } })
        .when({ type: 'RemoveVariable', data: { workflowId, name: 'plan' } })
        .thenFails('variable-not-found', 'not_found');
    });
  });

  describe('AddTrigger and RemoveTrigger', () => {
    const add = (t: TriggerDefinition) => ({ type: 'AddTrigger' as const, data: { workflowId, trigger: t } });

    it('adds a trigger and removes it', () => {
      given(created).when(add(trigger('nightly'))).then([triggerAdded(trigger('nightly'))]);
      given(created, triggerAdded(trigger('nightly')))
        .when({ type: 'RemoveTrigger', data: { workflowId, triggerId: 'nightly' } })
        .then([{ type: 'TriggerRemoved', data: { workflowId, triggerId: 'nightly' } }]);
    });

    it('refuses a bad id, a taken id and a trigger over the limit', () => {
      for (const id of ['', 'night ly', 'x'.repeat(65)]) given(created).when(add(trigger(id))).thenFails('invalid-trigger-id', 'rule_violated');
      given(created, triggerAdded(trigger('nightly'))).when(add(trigger('nightly'))).thenFails('trigger-exists', 'conflict');
      const full = Array.from({ length: DEFINITION_LIMITS.triggers }, (_, i) => triggerAdded(trigger(`t${i}`)));
      given(created, ...full).when(add(trigger('one_more'))).thenFails('too-many-triggers', 'rule_violated');
      given(created, ...full.slice(1)).when(add(trigger('one_more'))).then([triggerAdded(trigger('one_more'))]);
    });

    it('refuses to remove a trigger that does not exist', () =>
      given(created).when({ type: 'RemoveTrigger', data: { workflowId, triggerId: 'nightly' } }).thenFails('trigger-not-found', 'not_found'));
  });

  describe('SetTags', () => {
    const setTags = (tags: string[]) => ({ type: 'SetTags' as const, data: { workflowId, tags } });
    const tagsChanged = (tags: string[]): WorkflowDecidedEvent => ({ type: 'WorkflowTagsChanged', data: { workflowId, tags } });

    it('normalises: trimmed, lower case, blanks and duplicates dropped, sorted', () =>
      given(created).when(setTags(['  Sales ', 'onboarding', 'SALES', '', '   ', 'Billing'])).then([tagsChanged(['billing', 'onboarding', 'sales'])]));

    it('decides nothing when the normalised tags are the ones set', () => {
      given(created, tagsChanged(['billing', 'sales'])).when(setTags(['Sales', 'billing '])).then([]);
      given(created).when(setTags(['  '])).then([]);
      given(created, tagsChanged(['sales'])).when(setTags([])).then([tagsChanged([])]);
    });

    it(`refuses more than ${DEFINITION_LIMITS.tags} distinct tags, counted after normalising`, () => {
      const tags = Array.from({ length: DEFINITION_LIMITS.tags + 1 }, (_, i) => `tag${i}`);
      given(created).when(setTags(tags)).thenFails('too-many-tags', 'rule_violated');
      given(created).when(setTags([...tags.slice(1), 'TAG1'])).then([tagsChanged([...tags.slice(1)].sort())]);
    });

    it(`refuses a tag over ${DEFINITION_LIMITS.tagLength} characters, counted after trimming`, () => {
      given(created).when(setTags(['t'.repeat(DEFINITION_LIMITS.tagLength + 1)])).thenFails('tag-too-long', 'rule_violated');
      given(created).when(setTags([` ${'t'.repeat(DEFINITION_LIMITS.tagLength)} `])).then([tagsChanged(['t'.repeat(DEFINITION_LIMITS.tagLength)])]);
    });
  });

  describe('on an archived or missing workflow', () => {
    const edits = [
      { type: 'AddStep', data: { workflowId, step: b } },
      { type: 'ConfigureStep', data: { workflowId, stepId: 'a', config: welcomeEmail } },
      { type: 'RenameStep', data: { workflowId, stepId: 'a', name: 'X' } },
      { type: 'MoveStep', data: { workflowId, stepId: 'a', position: { x: 5, y: 5 } } },
      { type: 'ChangeStepPolicy', data: { workflowId, stepId: 'a', errorStrategy: 'continue' } },
      { type: 'RemoveStep', data: { workflowId, stepId: 'a' } },
      { type: 'ConnectSteps', data: { workflowId, edge: { id: 'e9', from: 'a', to: 'a' } } },
      { type: 'DisconnectSteps', data: { workflowId, edgeId: 'nope' } },
      { type: 'DeclareVariable', data: { workflowId, variable: { name: 'x', type: 'string', required: false } } },
      { type: 'RemoveVariable', data: { workflowId, name: 'nope' } },
      { type: 'AddTrigger', data: { workflowId, trigger: trigger('t') } },
      { type: 'RemoveTrigger', data: { workflowId, triggerId: 'nope' } },
      { type: 'SetTags', data: { workflowId, tags: ['x'] } },
      { type: 'PublishVersion', data: { workflowId, note: '' } },
      { type: 'RollbackToVersion', data: { workflowId, version: 1 } },
    ] as const;

    it.each(edits.map((e) => [e.type, e] as const))('refuses %s until the workflow is restored', (_type, command) => {
      given(created, added(a), archived).when(command as never).thenFails('workflow-archived', 'rule_violated');
    });

    it.each(edits.map((e) => [e.type, e] as const))('refuses %s on a workflow that does not exist', (_type, command) => {
      given().when(command as never).thenFails('workflow-not-found', 'not_found');
    });

    it('accepts edits again once restored', () =>
      given(created, added(a), archived, { type: 'WorkflowRestored', data: { workflowId } })
        .when({ type: 'AddStep', data: { workflowId, step: b } })
        .then([added(b)]));
  });
});

describe('publishing and rolling back', () => {
  const v1Events = threeSteps;
  const v1 = stateAfter(...v1Events).definition;
  const publish = (note = '') => ({ type: 'PublishVersion' as const, data: { workflowId, note } });

  it('publishes a valid draft as version 1 with a trimmed note', () =>
    given(...v1Events).when(publish('  First release ')).then([published(1, v1, 'First release')]));

  it('numbers versions 1, 2, 3 as the draft changes', () => {
    const moved: WorkflowDecidedEvent = { type: 'StepMoved', data: { workflowId, stepId: 'a', position: { x: 100, y: 0 } } };
    const v2 = stateAfter(...v1Events, moved).definition;
    given(...v1Events, published(1, v1), moved).when(publish('Moved')).then([published(2, v2, 'Moved')]);
    const tagged: WorkflowDecidedEvent = { type: 'WorkflowTagsChanged', data: { workflowId, tags: ['sales'] } };
    const v3 = stateAfter(...v1Events, moved, tagged).definition;
    given(...v1Events, published(1, v1), moved, published(2, v2), tagged).when(publish()).then([published(3, v3)]);
  });

  it('refuses while the draft has errors, and says which', () => {
    given(created).when(publish()).thenFails('definition-invalid', 'rule_violated');
    const broken = added(step('x', 'send_email', { to: 'a@example.com', subject: 'Hi' }));
    expect(() => decide([created, broken], publish())).toThrow(/1 error\(s\).*\/body is required unless template is set/);
    const cyclic = [...v1Events, connected('back', 'c', 'b')];
    given(...cyclic).when(publish()).thenFails('definition-invalid', 'rule_violated');
    const unknownVariable = [created, added(step('x', 'send_email', { template: 'welcome_email', to: '{{ customer_email }}' }))];
    given(...unknownVariable).when(publish()).thenFails('definition-invalid', 'rule_violated');
    given(...unknownVariable, declared({ name: 'customer_email', type: 'string', required: true }))
      .when(publish())
      .then([published(1, stateAfter(...unknownVariable, declared({ name: 'customer_email', type: 'string', required: true })).definition)]);
  });

  it('publishes despite warnings: an error branch without its edge', () => {
    const policy: WorkflowDecidedEvent = { type: 'StepPolicyChanged', data: { workflowId, stepId: 'a', errorStrategy: 'error_branch' } };
    given(...v1Events, policy).when(publish()).then([published(1, stateAfter(...v1Events, policy).definition)]);
  });

  it('refuses when the draft equals the latest version', () => {
    given(...v1Events, published(1, v1)).when(publish('again')).thenFails('no-changes', 'rule_violated');
    // Moving away and back is no change either.
    const away: WorkflowDecidedEvent = { type: 'StepMoved', data: { workflowId, stepId: 'a', position: { x: 9, y: 9 } } };
    const back: WorkflowDecidedEvent = { type: 'StepMoved', data: { workflowId, stepId: 'a', position: { x: 0, y: 0 } } };
    given(...v1Events, published(1, v1), away, back).when(publish()).thenFails('no-changes', 'rule_violated');
  });

  // BUG: no-changes compares JSON.stringify of the draft and the latest version, so key order
  // counts: saving the same config with its fields in another order (a form that serialises in
  // its own order does) lets a version be published whose diff from the previous one
  // (diffDefinitions, which ignores key order) is empty.
  it('refuses a version whose only difference is the order of keys in a config', () => {
    const reordered = Object.fromEntries(Object.entries(welcomeEmail).reverse());
    const resaved: WorkflowDecidedEvent = { type: 'StepConfigured', data: { workflowId, stepId: 'a', config: reordered } };
    expect(isEmptyDiff(diffDefinitions(v1, stateAfter(...v1Events, published(1, v1), resaved).definition))).toBe(true);
    given(...v1Events, published(1, v1), resaved).when(publish()).thenFails('no-changes', 'rule_violated');
  });

  it(`refuses a note over 500 characters (after trimming)`, () => {
    given(...v1Events).when(publish('n'.repeat(501))).thenFails('note-too-long', 'rule_violated');
    given(...v1Events).when(publish(` ${'n'.repeat(500)} `)).then([published(1, v1, 'n'.repeat(500))]);
  });

  describe('RollbackToVersion', () => {
    const changed: WorkflowDecidedEvent = { type: 'StepRenamed', data: { workflowId, stepId: 'a', name: 'Greet' } };
    const newStep: WorkflowDecidedEvent = added(step('d', 'condition', bigOrder));
    const v2 = stateAfter(...v1Events, changed, newStep).definition;
    const history = [...v1Events, published(1, v1), changed, newStep, published(2, v2)];
    const rollback = (version: number) => ({ type: 'RollbackToVersion' as const, data: { workflowId, version } });

    it('records the rollback, then republishes version N as the next version', () =>
      given(...history)
        .when(rollback(1))
        .then([
          { type: 'WorkflowRolledBack', data: { workflowId, toVersion: 1, newVersion: 3 } },
          { type: 'WorkflowVersionPublished', data: { workflowId, version: 3, note: 'Rollback to version 1', definition: v1, rolledBackFrom: 1 } },
        ]));

    it("makes version N's graph the draft, discarding unpublished edits", () => {
      const unpublished = added(step('z', 'delay', { durationMs: 3_600_000 }));
      const events = decide([...history, unpublished], rollback(1));
      const state = stateAfter(...history, unpublished, ...events);
      expect(state.definition).toEqual(v1);
      expect(state.versions).toEqual([v1, v2, v1]);
      // The draft is the latest version now: nothing to publish.
      expect(() => decide([...history, unpublished, ...events], publish())).toThrow(expect.objectContaining({ code: 'no-changes' }));
    });

    it('refuses a version that does not exist', () => {
      for (const version of [0, 3, -1, 1.5]) given(...history).when(rollback(version)).thenFails('version-not-found', 'not_found');
      given(...v1Events).when(rollback(1)).thenFails('version-not-found', 'not_found');
    });
  });
});
