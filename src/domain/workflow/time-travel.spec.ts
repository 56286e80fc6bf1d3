import fc from 'fast-check';
import type { ErrorStrategy, VariableDefinition, WorkflowCommand } from '@contracts';
import { ERROR_STRATEGIES } from '@contracts';
import { DomainError } from '../decider';
import { decideWorkflow, evolveWorkflow, initialWorkflowState, type WorkflowDecidedEvent, type WorkflowState } from './workflow.decider';

/**
 * SPEC A6, time travel: the state as of revision r is the fold of the first r events. For random
 * edit sessions (commands generated against the current state, so most are accepted), folding any
 * prefix of the recorded events from scratch gives exactly the state the live session had then,
 * and every revision is a consistent graph.
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

type CommandInput = { type: WorkflowCommand['type']; data: Record<string, unknown> };

/** Valid configs per action type (catalogue EXAMPLES), then one the schema refuses: drafts may hold those. */
const CONFIGS: Record<string, Record<string, unknown>[]> = {
  send_email: [{ template: 'welcome_email', to: '{{ input.email }}' }, { to: 'a@example.com', subject: 'Hi' }],
  create_task: [{ title: 'Call the customer back', dueAt: '2030-03-01', assignee: '3f2b8c1e-5d4a-4e2b-9c7f-1a2b3c4d5e6f' }, { title: 'Triage', priority: 'critical' }],
  http_request: [{ method: 'POST', url: 'https://api.example.com/leads', body: { email: '{{ input.email }}', score: 42 }, bodyType: 'json' }, { method: 'FETCH', url: 'https://api.example.com' }],
  condition: [{ expression: 'input.amount > 1000 and steps.classify.output.label = "urgent"' }, { expression: '' }],
  loop: [{ items: 'steps.list.output.entries' }, { items: 'input.customers', maxIterations: 0 }],
  transform: [{ assignments: { total: '$sum(input.items.price)', customerName: '$uppercase(input.customer.name)' } }, { assignments: {} }],
  delay: [{ durationMs: 3_600_000 }, {}],
  approval: [{ approvers: { role: 'admin' }, mode: 'any', message: 'Approve the expense of {{ input.amount }}?' }, { approvers: { role: 'boss' }, message: 'x' }],
};
const TYPES = Object.keys(CONFIGS);
const NAMES = ['Send welcome e-mail', '  Check the amount ', 'Wait an hour', 'Create the task'];
const BAD_NAMES = ['', 'n'.repeat(201)];
const LABELS = [undefined, undefined, 'true', 'false', 'error', 'each', 'done'];
const VARIABLES: [VariableDefinition['type'], unknown][] = [['string', 'pro'], ['number', 3], ['boolean', true], ['array', []], ['date', '2030-01-01']];
const VARIABLE_NAMES = ['plan', 'amount', 'customer_email', 'threshold'];
const TAGS = ['sales', 'Onboarding', ' billing ', 'SALES', 'ops'];
const RETRY = { maxAttempts: 4, initialIntervalMs: 500, backoffCoefficient: 2, maxIntervalMs: 10_000, jitter: 0.1, nonRetryableErrors: ['InvalidConfig'] };

const KINDS = [
  'AddStep', 'AddStep', 'ConfigureStep', 'RenameStep', 'MoveStep', 'ChangeStepPolicy', 'RemoveStep',
  'ConnectSteps', 'ConnectSteps', 'ConnectSteps', 'DisconnectSteps', 'DeclareVariable', 'RemoveVariable',
  'AddTrigger', 'RemoveTrigger', 'SetTags', 'PublishVersion', 'PublishVersion', 'RollbackToVersion', 'ArchiveWorkflow', 'RestoreWorkflow',
] as const;
type Kind = (typeof KINDS)[number];

const intent = fc.record({
  kind: fc.constantFrom(...KINDS),
  i: fc.nat(1000),
  j: fc.nat(1000),
  n: fc.integer({ min: -2, max: 2 }),
  flag: fc.boolean(),
});
type Intent = typeof intent extends fc.Arbitrary<infer T> ? T : never;

const at = <T>(list: readonly T[], index: number): T | undefined => (list.length === 0 ? undefined : list[index % list.length]);

/** What an intent can do to the draft as it is: an edit of something that is not there becomes the edit that adds it. */
function feasible(kind: Kind, state: WorkflowState): Kind {
  const { steps, edges, variables, triggers } = state.definition;
  if (state.status === 'archived') return 'RestoreWorkflow';
  if (['ConfigureStep', 'RenameStep', 'MoveStep', 'ChangeStepPolicy', 'RemoveStep'].includes(kind) && steps.length === 0) return 'AddStep';
  if (kind === 'ConnectSteps' && steps.length < 2) return 'AddStep';
  if (kind === 'DisconnectSteps' && edges.length === 0) return steps.length < 2 ? 'AddStep' : 'ConnectSteps';
  if (kind === 'RemoveVariable' && variables.length === 0) return 'DeclareVariable';
  if (kind === 'RemoveTrigger' && triggers.length === 0) return 'AddTrigger';
  if (kind === 'RollbackToVersion' && state.versions.length === 0) return 'PublishVersion';
  return kind;
}

/**
 * A command for the intent, aimed at what the draft holds now. About one in ten is aimed wrong on
 * purpose (a taken or missing id, a blank name, a broken config) so refusals are skipped too.
 */
function commandFor(it: Intent, state: WorkflowState, serial: number): CommandInput {
  const { i, j, n, flag } = it;
  const kind = feasible(it.kind, state);
  const wrong = (i + j) % 10 === 0;
  const { steps, edges, variables, triggers } = state.definition;
  const step = at(steps, i);
  const stepId = wrong ? 'missing' : step?.id ?? 'missing';
  const name = wrong ? at(BAD_NAMES, j)! : at(NAMES, j)!;
  const configOf = (type: string) => CONFIGS[type]?.[j % 7 === 0 ? 1 : 0] ?? {};
  switch (kind) {
    case 'AddStep': {
      const type = at(TYPES, i)!;
      const id = wrong && step ? step.id : `s${serial}`;
      return { type: kind, data: { workflowId, step: { id, name, type, config: configOf(type), position: { x: n * 100, y: 0 }, errorStrategy: at(ERROR_STRATEGIES, j) as ErrorStrategy } } };
    }
    case 'ConfigureStep':
      return { type: kind, data: { workflowId, stepId, config: configOf(step!.type) } };
    case 'RenameStep':
      return { type: kind, data: { workflowId, stepId: step!.id, name } };
    case 'MoveStep':
      return { type: kind, data: { workflowId, stepId, position: { x: n * 100, y: flag ? 0 : 50 } } };
    case 'ChangeStepPolicy':
      return { type: kind, data: { workflowId, stepId, errorStrategy: at(ERROR_STRATEGIES, j)!, ...(flag ? { retryPolicy: RETRY } : {}), ...(n > 0 ? { timeoutMs: n * 1000 } : {}) } };
    case 'RemoveStep':
      return { type: kind, data: { workflowId, stepId } };
    case 'ConnectSteps': {
      // Mostly chains the newest steps, so drafts often become valid and publishable.
      const other = steps[(steps.indexOf(step!) + 1 + (j % (steps.length - 1))) % steps.length];
      const [from, to] = flag ? [steps[steps.length - 2].id, steps[steps.length - 1].id] : [step!.id, other.id];
      const label = at(LABELS, i + j);
      const id = wrong && edges.length > 0 ? edges[0].id : `e${serial}`;
      return { type: kind, data: { workflowId, edge: { id, from, to, ...(label ? { label } : {}), ...(n === 2 ? { condition: 'input.amount > 10' } : {}) } } };
    }
    case 'DisconnectSteps':
      return { type: kind, data: { workflowId, edgeId: wrong ? 'missing' : at(edges, i)!.id } };
    case 'DeclareVariable': {
      const [type, value] = at(VARIABLES, j)!;
      const variable: VariableDefinition = { name: at(VARIABLE_NAMES, i)!, type, required: flag, ...(n > 0 ? { default: wrong ? Number.NaN : value } : {}) };
      return { type: kind, data: { workflowId, variable } };
    }
    case 'RemoveVariable':
      return { type: kind, data: { workflowId, name: wrong ? 'missing' : at(variables, i)!.name } };
    case 'AddTrigger':
      return { type: kind, data: { workflowId, trigger: { id: wrong && triggers.length > 0 ? triggers[0].id : `t${serial}`, kind: 'cron', name: 'Nightly', enabled: flag, config: { cron: '0 2 * * *' } } } };
    case 'RemoveTrigger':
      return { type: kind, data: { workflowId, triggerId: wrong ? 'missing' : at(triggers, i)!.id } };
    case 'SetTags':
      return { type: kind, data: { workflowId, tags: TAGS.filter((_, k) => ((i >> k) & 1) === 1) } };
    case 'PublishVersion':
      return { type: kind, data: { workflowId, note: flag ? ` Release ${serial} ` : '' } };
    case 'RollbackToVersion':
      return { type: kind, data: { workflowId, version: 1 + (i % (state.versions.length + (wrong ? 1 : 0))) } };
    case 'ArchiveWorkflow':
    case 'RestoreWorkflow':
      // Archiving is rare; an archived draft is restored by the next command.
      return { type: i % 4 === 0 ? 'ArchiveWorkflow' : 'RestoreWorkflow', data: { workflowId } };
  }
}

interface Session {
  events: WorkflowDecidedEvent[];
  /** The live state after each event: afterEvent[r] is the state once r events were applied. */
  afterEvent: WorkflowState[];
  /** The live state after each accepted command, frozen by a deep copy, and the object itself. */
  afterCommand: { revision: number; copy: WorkflowState; live: WorkflowState }[];
}

const tally = { accepted: new Map<string, number>(), refused: 0 };

function run(intents: Intent[]): Session {
  const decide = (state: WorkflowState, command: CommandInput) => decideWorkflow({ ...command, metadata } as WorkflowCommand, state);
  let state = initialWorkflowState();
  const session: Session = { events: [], afterEvent: [structuredClone(state)], afterCommand: [] };
  const create: CommandInput = { type: 'CreateWorkflow', data: { workflowId, name: 'Onboarding' } };
  for (let k = 0; k <= intents.length; k++) {
    // Each command is generated against the state as it is when the command runs.
    const command = k === 0 ? create : commandFor(intents[k - 1], state, k - 1);
    let decided: WorkflowDecidedEvent[];
    try {
      decided = decide(state, command);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      tally.refused++;
      continue;
    }
    tally.accepted.set(command.type, (tally.accepted.get(command.type) ?? 0) + 1);
    for (const event of decided) {
      state = evolveWorkflow(state, event);
      session.events.push(event);
      session.afterEvent.push(structuredClone(state));
    }
    session.afterCommand.push({ revision: session.events.length, copy: structuredClone(state), live: state });
  }
  return session;
}

const fold = (events: WorkflowDecidedEvent[]) => events.reduce(evolveWorkflow, initialWorkflowState());

/** No revision may show an edge to a step that is not there, or two steps, edges, variables or triggers with one id. */
function expectConsistent(state: WorkflowState): void {
  const { steps, edges, variables, triggers } = state.definition;
  const ids = new Set(steps.map((s) => s.id));
  expect(ids.size).toBe(steps.length);
  expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
  expect(new Set(variables.map((v) => v.name)).size).toBe(variables.length);
  expect(new Set(triggers.map((t) => t.id)).size).toBe(triggers.length);
  expect(edges.filter((e) => !ids.has(e.from) || !ids.has(e.to) || e.from === e.to)).toEqual([]);
  state.versions.forEach((v, index) => expect({ version: index + 1, dangling: v.edges.filter((e) => !v.steps.some((s) => s.id === e.from) || !v.steps.some((s) => s.id === e.to)) }).toEqual({ version: index + 1, dangling: [] }));
}

describe('time travel', () => {
  it('folding the first r events gives the state the session had after event r, for every r', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 5, maxLength: 60 }), (intents) => {
        const session = run(intents);
        for (let r = 0; r <= session.events.length; r++) {
          const past = fold(session.events.slice(0, r));
          expect(past).toStrictEqual(session.afterEvent[r]);
          expectConsistent(past);
          const event = session.events[r - 1];
          if (event?.type === 'WorkflowVersionPublished') {
            // Version n is the draft it published, frozen; a rollback republishes version N's graph, now the draft.
            const { version, definition, rolledBackFrom } = event.data;
            expect(past.versions).toHaveLength(version);
            expect(past.versions[version - 1]).toStrictEqual(session.afterEvent[r - 1].definition);
            expect(past.definition).toStrictEqual(definition);
            if (rolledBackFrom !== undefined) expect(past.definition).toStrictEqual(past.versions[rolledBackFrom - 1]);
          }
        }
        for (const { revision, copy, live } of session.afterCommand) {
          // The state after the command that produced event r...
          expect(fold(session.events.slice(0, revision))).toStrictEqual(copy);
          // ...and no later event changed that state object behind its back (evolve is pure).
          expect(live).toStrictEqual(copy);
        }
      }),
      { numRuns: 150 },
    );
    // The sessions were real ones: most commands accepted, every kind of edit among them, publishing and rolling back included.
    const accepted = [...tally.accepted.values()].reduce((x, y) => x + y, 0);
    expect(accepted / (accepted + tally.refused)).toBeGreaterThan(0.6);
    for (const type of [...new Set(KINDS)]) expect({ type, accepted: (tally.accepted.get(type) ?? 0) > 0 }).toEqual({ type, accepted: true });
  });
});
