import type { WorkflowDefinition, WorkflowGraphCommand, WorkflowGraphEvent } from '@contracts';
import { DEFINITION_LIMITS, VARIABLE_TYPES } from '@contracts';
import { DomainError, assertNever, type DecidedOf } from '../decider';
import { triggerConfigErrors } from '../../triggers/trigger-config';

export type GraphDecidedEvent = DecidedOf<WorkflowGraphEvent>;

/** Every event type that edits the draft graph (a Record, so a new one cannot be forgotten). */
const GRAPH_EVENT_TYPES: Record<WorkflowGraphEvent['type'], true> = {
  StepAdded: true,
  StepConfigured: true,
  StepRenamed: true,
  StepMoved: true,
  StepPolicyChanged: true,
  StepRemoved: true,
  StepsConnected: true,
  StepsDisconnected: true,
  VariableDeclared: true,
  VariableRemoved: true,
  TriggerAdded: true,
  TriggerRemoved: true,
  TriggerUpdated: true,
  TriggerEnabled: true,
  TriggerDisabled: true,
  WorkflowTagsChanged: true,
};

export const isGraphEvent = (event: { type: string }): event is GraphDecidedEvent => Object.hasOwn(GRAPH_EVENT_TYPES, event.type);

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The draft graph after one more edit event. Pure; unknown ids leave the graph as it is. */
export function evolveGraph(definition: WorkflowDefinition, event: GraphDecidedEvent): WorkflowDefinition {
  const d = definition;
  const updateStep = (stepId: string, change: (s: WorkflowDefinition['steps'][number]) => WorkflowDefinition['steps'][number]) => ({
    ...d,
    steps: d.steps.map((s) => (s.id === stepId ? change(s) : s)),
  });
  switch (event.type) {
    case 'StepAdded':
      return { ...d, steps: [...d.steps, event.data.step] };
    case 'StepConfigured':
      return updateStep(event.data.stepId, (s) => ({ ...s, config: event.data.config }));
    case 'StepRenamed':
      return updateStep(event.data.stepId, (s) => ({ ...s, name: event.data.name }));
    case 'StepMoved':
      return updateStep(event.data.stepId, (s) => ({ ...s, position: event.data.position }));
    case 'StepPolicyChanged': {
      const { errorStrategy, retryPolicy, timeoutMs, join } = event.data;
      return updateStep(event.data.stepId, ({ retryPolicy: _r, timeoutMs: _t, join: _j, ...s }) => ({
        ...s,
        errorStrategy,
        ...(retryPolicy ? { retryPolicy } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(join !== undefined ? { join } : {}),
      }));
    }
    case 'StepRemoved':
      return { ...d, steps: d.steps.filter((s) => s.id !== event.data.stepId) };
    case 'StepsConnected':
      return { ...d, edges: [...d.edges, event.data.edge] };
    case 'StepsDisconnected':
      return { ...d, edges: d.edges.filter((e) => e.id !== event.data.edgeId) };
    case 'VariableDeclared': {
      const others = d.variables.filter((v) => v.name !== event.data.variable.name);
      const at = d.variables.findIndex((v) => v.name === event.data.variable.name);
      const variables = at < 0 ? [...others, event.data.variable] : d.variables.map((v, i) => (i === at ? event.data.variable : v));
      return { ...d, variables };
    }
    case 'VariableRemoved':
      return { ...d, variables: d.variables.filter((v) => v.name !== event.data.name) };
    case 'TriggerAdded':
      return { ...d, triggers: [...d.triggers, event.data.trigger] };
    case 'TriggerRemoved':
      return { ...d, triggers: d.triggers.filter((t) => t.id !== event.data.triggerId) };
    case 'TriggerUpdated': {
      const { triggerId, name, config } = event.data;
      return { ...d, triggers: d.triggers.map((t) => (t.id === triggerId ? { ...t, name, config } : t)) };
    }
    case 'TriggerEnabled':
    case 'TriggerDisabled': {
      const enabled = event.type === 'TriggerEnabled';
      return { ...d, triggers: d.triggers.map((t) => (t.id === event.data.triggerId ? { ...t, enabled } : t)) };
    }
    case 'WorkflowTagsChanged':
      return { ...d, tags: event.data.tags };
    default:
      return assertNever(event);
  }
}

/**
 * Decides a graph edit against the draft. Refused outright (4xx) is what can never become valid:
 * unknown action types, dangling or duplicate edges, duplicate ids, limits. What the user is still
 * working on (a config missing a required field, a step not yet connected) is accepted and shown
 * by the validator instead, and blocks publishing.
 */
export function decideGraph(
  command: WorkflowGraphCommand,
  d: WorkflowDefinition,
  knownActionType: (type: string) => boolean,
): GraphDecidedEvent[] {
  const { workflowId } = command.data;
  switch (command.type) {
    case 'AddStep': {
      const { step } = command.data;
      if (!ID.test(step.id)) throw rule('invalid-step-id', 'A step id has 1 to 64 letters, digits, - or _');
      if (d.steps.some((s) => s.id === step.id)) throw new DomainError('conflict', 'step-exists', `A step ${step.id} already exists`);
      if (d.steps.length >= DEFINITION_LIMITS.steps) throw rule('too-many-steps', `A workflow has at most ${DEFINITION_LIMITS.steps} steps`);
      if (!knownActionType(step.type)) throw rule('unknown-action-type', `Unknown action type ${step.type}`);
      if (!Number.isFinite(step.position?.x) || !Number.isFinite(step.position?.y)) throw rule('invalid-position', 'A position has finite x and y');
      if (step.join !== undefined) validJoin(step.join);
      return [{ type: 'StepAdded', data: { workflowId, step: { ...step, name: validStepName(step.name), config: validConfig(step.config) } } }];
    }
    case 'ConfigureStep':
      requireStep(d, command.data.stepId);
      return [{ type: 'StepConfigured', data: { workflowId, stepId: command.data.stepId, config: validConfig(command.data.config) } }];
    case 'RenameStep': {
      const step = requireStep(d, command.data.stepId);
      const name = validStepName(command.data.name);
      return name === step.name ? [] : [{ type: 'StepRenamed', data: { workflowId, stepId: step.id, name } }];
    }
    case 'MoveStep': {
      const step = requireStep(d, command.data.stepId);
      const { x, y } = command.data.position;
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw rule('invalid-position', 'A position has finite x and y');
      return step.position.x === x && step.position.y === y ? [] : [{ type: 'StepMoved', data: { workflowId, stepId: step.id, position: { x, y } } }];
    }
    case 'ChangeStepPolicy': {
      const step = requireStep(d, command.data.stepId);
      // An error_branch strategy without its `error` edge yet is allowed: the validator reports it.
      const { errorStrategy, retryPolicy, timeoutMs, join } = command.data;
      if (join !== undefined) validJoin(join);
      return [
        {
          type: 'StepPolicyChanged',
          data: { workflowId, stepId: step.id, errorStrategy, ...(retryPolicy ? { retryPolicy } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(join !== undefined ? { join } : {}) },
        },
      ];
    }
    case 'RemoveStep': {
      const step = requireStep(d, command.data.stepId);
      const edges: GraphDecidedEvent[] = d.edges
        .filter((e) => e.from === step.id || e.to === step.id)
        .map((e) => ({ type: 'StepsDisconnected', data: { workflowId, edgeId: e.id } }));
      return [...edges, { type: 'StepRemoved', data: { workflowId, stepId: step.id } }];
    }
    case 'ConnectSteps': {
      const { edge } = command.data;
      if (!ID.test(edge.id)) throw rule('invalid-edge-id', 'An edge id has 1 to 64 letters, digits, - or _');
      if (d.edges.some((e) => e.id === edge.id)) throw new DomainError('conflict', 'edge-exists', `An edge ${edge.id} already exists`);
      if (!d.steps.some((s) => s.id === edge.from) || !d.steps.some((s) => s.id === edge.to)) {
        throw rule('dangling-edge', 'Both ends of an edge must be steps of the workflow');
      }
      if (edge.from === edge.to) throw rule('self-loop', 'A step cannot lead to itself; use a loop step');
      if (d.edges.some((e) => e.from === edge.from && e.to === edge.to && (e.label ?? '') === (edge.label ?? ''))) {
        throw new DomainError('conflict', 'edge-exists', 'Those steps are already connected');
      }
      if (d.edges.length >= DEFINITION_LIMITS.edges) throw rule('too-many-edges', `A workflow has at most ${DEFINITION_LIMITS.edges} edges`);
      return [{ type: 'StepsConnected', data: { workflowId, edge } }];
    }
    case 'DisconnectSteps':
      if (!d.edges.some((e) => e.id === command.data.edgeId)) throw new DomainError('not_found', 'edge-not-found', `No edge ${command.data.edgeId}`);
      return [{ type: 'StepsDisconnected', data: { workflowId, edgeId: command.data.edgeId } }];
    case 'DeclareVariable': {
      const { variable } = command.data;
      if (!VARIABLE_NAME.test(variable.name)) throw rule('invalid-variable-name', 'A variable name is an identifier: letters, digits and _');
      if (!VARIABLE_TYPES.includes(variable.type)) throw rule('invalid-variable-type', `Variable types: ${VARIABLE_TYPES.join(', ')}`);
      if (variable.default !== undefined && !matchesType(variable.default, variable.type)) {
        throw rule('variable-default-type', `The default of ${variable.name} is not a ${variable.type}`);
      }
      const exists = d.variables.some((v) => v.name === variable.name);
      if (!exists && d.variables.length >= DEFINITION_LIMITS.variables) throw rule('too-many-variables', `At most ${DEFINITION_LIMITS.variables} variables`);
      return [{ type: 'VariableDeclared', data: { workflowId, variable } }];
    }
    case 'RemoveVariable':
      if (!d.variables.some((v) => v.name === command.data.name)) throw new DomainError('not_found', 'variable-not-found', `No variable ${command.data.name}`);
      return [{ type: 'VariableRemoved', data: { workflowId, name: command.data.name } }];
    case 'AddTrigger': {
      const { trigger } = command.data;
      if (!ID.test(trigger.id)) throw rule('invalid-trigger-id', 'A trigger id has 1 to 64 letters, digits, - or _');
      if (d.triggers.some((t) => t.id === trigger.id)) throw new DomainError('conflict', 'trigger-exists', `A trigger ${trigger.id} already exists`);
      if (d.triggers.length >= DEFINITION_LIMITS.triggers) throw rule('too-many-triggers', `At most ${DEFINITION_LIMITS.triggers} triggers`);
      // A config that cannot work is refused now rather than shown later (UpdateTrigger checks the same).
      const configErrors = triggerConfigErrors(trigger);
      if (configErrors.length > 0) throw new DomainError('rule_violated', 'invalid-trigger-config', `${trigger.kind} trigger: ${configErrors.join('; ')}`, configErrors);
      return [{ type: 'TriggerAdded', data: { workflowId, trigger } }];
    }
    case 'SetTriggerEnabled': {
      const trigger = d.triggers.find((t) => t.id === command.data.triggerId);
      if (!trigger) throw new DomainError('not_found', 'trigger-not-found', `No trigger ${command.data.triggerId}`);
      if (trigger.enabled === command.data.enabled) return [];
      return [{ type: command.data.enabled ? 'TriggerEnabled' : 'TriggerDisabled', data: { workflowId, triggerId: trigger.id } }];
    }
    case 'UpdateTrigger': {
      const { triggerId, name, config } = command.data;
      const trigger = d.triggers.find((t) => t.id === triggerId);
      if (!trigger) throw new DomainError('not_found', 'trigger-not-found', `No trigger ${triggerId}`);
      const updated = { ...trigger, name: name ?? trigger.name, config: config ?? trigger.config };
      if (typeof updated.name !== 'string' || updated.name.trim() === '' || updated.name.length > 200) throw rule('invalid-trigger-name', 'A trigger name has 1 to 200 characters');
      const configErrors = triggerConfigErrors(updated);
      if (configErrors.length > 0) throw new DomainError('rule_violated', 'invalid-trigger-config', `${trigger.kind} trigger: ${configErrors.join('; ')}`, configErrors);
      if (updated.name === trigger.name && JSON.stringify(updated.config) === JSON.stringify(trigger.config)) return [];
      return [{ type: 'TriggerUpdated', data: { workflowId, triggerId, name: updated.name, config: updated.config, previous: { name: trigger.name, config: trigger.config } } }];
    }
    case 'RemoveTrigger':
      if (!d.triggers.some((t) => t.id === command.data.triggerId)) throw new DomainError('not_found', 'trigger-not-found', `No trigger ${command.data.triggerId}`);
      return [{ type: 'TriggerRemoved', data: { workflowId, triggerId: command.data.triggerId } }];
    case 'SetTags': {
      const tags = [...new Set(command.data.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
      if (tags.length > DEFINITION_LIMITS.tags) throw rule('too-many-tags', `At most ${DEFINITION_LIMITS.tags} tags`);
      if (tags.some((t) => t.length > DEFINITION_LIMITS.tagLength)) throw rule('tag-too-long', `A tag has at most ${DEFINITION_LIMITS.tagLength} characters`);
      return JSON.stringify(tags) === JSON.stringify(d.tags) ? [] : [{ type: 'WorkflowTagsChanged', data: { workflowId, tags } }];
    }
    default:
      return assertNever(command);
  }
}

function rule(code: string, message: string): DomainError {
  return new DomainError('rule_violated', code, message);
}

function requireStep(d: WorkflowDefinition, stepId: string) {
  const step = d.steps.find((s) => s.id === stepId);
  if (!step) throw new DomainError('not_found', 'step-not-found', `No step ${stepId}`);
  return step;
}

function validStepName(raw: string): string {
  const name = raw.trim();
  if (!name) throw rule('step-name-required', 'A step needs a name');
  if (name.length > DEFINITION_LIMITS.stepNameLength) throw rule('step-name-too-long', `A step name has at most ${DEFINITION_LIMITS.stepNameLength} characters`);
  return name;
}

function validConfig(config: Record<string, unknown>): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw rule('invalid-config', 'A step config is a JSON object');
  if (new TextEncoder().encode(JSON.stringify(config)).length > DEFINITION_LIMITS.configBytes) throw rule('config-too-large', `A step config has at most ${DEFINITION_LIMITS.configBytes} bytes`);
  return config;
}

export function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    default:
      return false;
  }
}

/** `all`, `any`, or a whole number of inputs (at least 1). */
function validJoin(join: unknown): void {
  if (join === 'all' || join === 'any') return;
  if (typeof join === 'number' && Number.isInteger(join) && join >= 1 && join <= 1000) return;
  throw rule('invalid-join', 'join is "all", "any" or a whole number of inputs (1 or more)');
}
