import type { TriggerDefinition } from '@contracts';
import { specFor } from '../testing/given-when-then';
import { workflowDecider, type WorkflowDecidedEvent } from './workflow.decider';

/** Trigger switches and webhook secret records (SPEC C2 pause/resume, C3 rotation), given/when/then. */

const workflowId = '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10';
const metadata = { commandId: 'c1', correlationId: 'c1', causationId: 'c1', actor: { kind: 'user' as const, id: 'u1' }, workspaceId: 'ws1', occurredAt: '2026-11-28T10:00:00.000Z' };
const given = specFor(workflowDecider, metadata);
const created: WorkflowDecidedEvent = { type: 'WorkflowCreated', data: { workflowId, workspaceId: 'ws1', name: 'Nightly', description: '' } };
const cron: TriggerDefinition = { id: 'nightly', kind: 'cron', name: 'Nightly', enabled: true, config: { expression: '0 2 * * *', zone: 'Europe/Berlin' } };
const hook: TriggerDefinition = { id: 'hook', kind: 'webhook', name: 'Hook', enabled: true, config: {} };
const addedEvent = (trigger: TriggerDefinition): WorkflowDecidedEvent => ({ type: 'TriggerAdded', data: { workflowId, trigger } });
const setEnabled = (triggerId: string, enabled: boolean) => ({ type: 'SetTriggerEnabled' as const, data: { workflowId, triggerId, enabled } });
const record = (triggerId: string, change: 'rotated' | 'retired', fingerprint = 'a1b2c3d4e5f6') => ({ type: 'RecordWebhookSecret' as const, data: { workflowId, triggerId, change, fingerprint } });

describe('trigger switches and webhook secrets', () => {
  it('disables and enables a trigger, each change one event, and a no-op decides nothing', () => {
    given(created, addedEvent(cron)).when(setEnabled('nightly', false)).then([{ type: 'TriggerDisabled', data: { workflowId, triggerId: 'nightly' } }]);
    given(created, addedEvent(cron), { type: 'TriggerDisabled', data: { workflowId, triggerId: 'nightly' } })
      .when(setEnabled('nightly', true))
      .then([{ type: 'TriggerEnabled', data: { workflowId, triggerId: 'nightly' } }]);
    given(created, addedEvent(cron)).when(setEnabled('nightly', true)).then([]);
    given(created).when(setEnabled('nightly', false)).thenFails('trigger-not-found', 'not_found');
  });

  it('refuses a trigger whose config can never work', () => {
    const bad = (config: Record<string, unknown>, kind: TriggerDefinition['kind'] = 'cron') => ({ type: 'AddTrigger' as const, data: { workflowId, trigger: { ...cron, kind, config } } });
    given(created).when(bad({ expression: '0 25 * * *' })).thenFails('invalid-trigger-config', 'rule_violated');
    given(created).when(bad({ expression: '0 2 * * *', zone: '+05:30' })).thenFails('invalid-trigger-config', 'rule_violated');
    given(created).when(bad({ allowList: ['10.0.0.1/8'] }, 'webhook')).thenFails('invalid-trigger-config', 'rule_violated');
    given(created).when(bad({ responseMode: 'later' }, 'webhook')).thenFails('invalid-trigger-config', 'rule_violated');
    given(created).when(bad({ on: 'custom', type: 'a', filter: '(' }, 'event')).thenFails('invalid-trigger-config', 'rule_violated');
    given(created).when(bad({ cron: '*/5 * * * *' })).then([addedEvent({ ...cron, config: { cron: '*/5 * * * *' } })]);
  });

  it('edits a trigger in place: same id and switch, new name or config, checked like a new one; no change decides nothing', () => {
    const update = (data: { name?: string; config?: Record<string, unknown> }, triggerId = 'nightly') => ({ type: 'UpdateTrigger' as const, data: { workflowId, triggerId, ...data } });
    const weekdays = { expression: '0 9 * * 1-5', zone: 'America/New_York' };
    given(created, addedEvent(cron))
      .when(update({ config: weekdays }))
      .then([{ type: 'TriggerUpdated', data: { workflowId, triggerId: 'nightly', name: 'Nightly', config: weekdays, previous: { name: 'Nightly', config: cron.config } } }]);
    given(created, addedEvent(cron))
      .when(update({ name: 'Morning' }))
      .then([{ type: 'TriggerUpdated', data: { workflowId, triggerId: 'nightly', name: 'Morning', config: cron.config, previous: { name: 'Nightly', config: cron.config } } }]);
    given(created, addedEvent(cron)).when(update({ name: 'Nightly', config: { ...cron.config } })).then([]);
    given(created, addedEvent(cron)).when(update({ config: { expression: '0 25 * * *' } })).thenFails('invalid-trigger-config', 'rule_violated');
    given(created, addedEvent(hook)).when(update({ config: { allowList: ['10.0.0.1/8'] } }, 'hook')).thenFails('invalid-trigger-config', 'rule_violated');
    given(created, addedEvent(cron)).when(update({ name: ' ' })).thenFails('invalid-trigger-name', 'rule_violated');
    given(created).when(update({ name: 'Morning' })).thenFails('trigger-not-found', 'not_found');
  });

  it('records secret rotations of webhook triggers by fingerprint only', () => {
    given(created, addedEvent(hook)).when(record('hook', 'rotated')).then([{ type: 'WebhookSecretRotated', data: { workflowId, triggerId: 'hook', fingerprint: 'a1b2c3d4e5f6' } }]);
    given(created, addedEvent(hook)).when(record('hook', 'retired')).then([{ type: 'WebhookSecretRetired', data: { workflowId, triggerId: 'hook', fingerprint: 'a1b2c3d4e5f6' } }]);
    given(created, addedEvent(cron)).when(record('nightly', 'rotated')).thenFails('not-a-webhook-trigger', 'rule_violated');
    given(created, addedEvent(hook)).when(record('hook', 'rotated', 'whsec_secret')).thenFails('invalid-fingerprint', 'rule_violated');
    given(created).when(record('hook', 'rotated')).thenFails('trigger-not-found', 'not_found');
  });
});
