import type { Kysely } from 'kysely';
import type { Command, RecordedEvent } from '@contracts';
import { customEventStream, executionStream } from '@contracts';
import type { Database } from '../adapters/database/tables';
import type { EventStore } from '../adapters/event-store/event-store.port';
import { uuidV5 } from '../adapters/crypto/deterministic-uuid';
import type { ExecutionStarter } from '../commands/start-execution';
import { handleCommand, loadState, type CommandResult } from '../commands/handle-command';
import type { Decider } from '../domain/decider';
import { executionDecider } from '../domain/execution/execution.decider';
import { evaluate } from '../engine/expressions';
import { fireTrigger, type FireResult } from './fire';
import { LiveEventTriggers, triggerKey } from './live-triggers';
import { parseEventConfig, type EventSource } from './trigger-config';

/**
 * Event triggers (SPEC C4): a run starts when an internal event happens. The events come from the broker on our own
 * queue (`triggers.events`, at-least-once); each matching trigger starts a run whose id is derived from (workflow,
 * trigger, event id), so a redelivered event starts nothing new. Only triggers of the event's own workspace are
 * considered, and a run's end never triggers its own workflow (that would loop forever; a loop across two
 * workflows is not detected: LIMIT).
 *
 * The filter is JSONata over { type, workflowId, data } (`data` is the event's data: a run's output or error, a
 * task's fields, a custom event's data); a filter that fails to evaluate counts as "no match".
 */

export const TRIGGER_EVENTS_QUEUE = 'triggers.events';
export const CUSTOM_EVENT_TYPE = 'CustomEventPosted';
export const TRIGGER_EVENT_BINDINGS = ['execution.ExecutionSucceeded', 'execution.ExecutionFailed', 'task.TaskCreated', `customevent.${CUSTOM_EVENT_TYPE}`] as const;

// Frozen: stored execution ids were derived from this namespace and the name layout below.
const EVENT_FIRE_NAMESPACE = '5b0c3d1e-8f2a-4c67-9e1d-2a7b4c9f0e31';
export const eventFireId = (workflowId: string, triggerId: string, eventId: string): string => uuidV5(EVENT_FIRE_NAMESPACE, `${triggerKey(workflowId, triggerId)}/${eventId}`);

export interface CustomEventData {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
}

/** What a filter sees and what the started run gets as `input.event`. */
export interface TriggeringEvent {
  id: string;
  source: EventSource;
  type: string;
  workspaceId: string;
  /** The workflow whose run ended (execution events). */
  workflowId?: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export class EventTriggers {
  private readonly live: LiveEventTriggers;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: EventStore,
    private readonly starter: ExecutionStarter,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.live = new LiveEventTriggers(db);
  }

  async handle(recorded: RecordedEvent): Promise<FireResult[]> {
    const candidates = await this.live.list(recorded.recordedAt);
    if (!candidates.some((c) => c.enabled)) return [];
    const event = await this.describe(recorded);
    if (!event) return [];
    const results: FireResult[] = [];
    for (const live of candidates) {
      if (!live.enabled || live.workspaceId !== event.workspaceId || live.workflowId === event.workflowId) continue;
      const parsed = parseEventConfig(live.trigger.config);
      if (!parsed.ok) continue;
      const config = parsed.config;
      if (config.on !== event.source) continue;
      if (config.on === 'custom' && config.type !== event.type) continue;
      if (config.workflowId && config.workflowId !== event.workflowId) continue;
      if (config.filter && !(await this.matches(config.filter, event, live.trigger.id))) continue;
      const result = await fireTrigger(this.starter, this.db, {
        workflowId: live.workflowId,
        kind: 'event',
        triggerId: live.trigger.id,
        input: { event },
        executionId: eventFireId(live.workflowId, live.trigger.id, event.id),
        correlationId: recorded.metadata.correlationId,
      });
      if (result.outcome === 'refused') this.log(`event trigger ${triggerKey(live.workflowId, live.trigger.id)} refused: ${result.error.message}`);
      results.push(result);
    }
    return results;
  }

  private async matches(filter: string, event: TriggeringEvent, triggerId: string): Promise<boolean> {
    try {
      return Boolean(await evaluate(filter, { type: event.type, workflowId: event.workflowId, data: event.data, source: event.source }));
    } catch (error) {
      this.log(`event trigger ${triggerId}: filter failed, taken as no match: ${(error as Error).message}`);
      return false;
    }
  }

  private async describe(recorded: RecordedEvent): Promise<TriggeringEvent | undefined> {
    const base = { id: recorded.metadata.eventId, workspaceId: recorded.metadata.workspaceId, occurredAt: recorded.metadata.occurredAt };
    const data = recorded.data as Record<string, unknown>;
    switch (recorded.type) {
      case 'ExecutionSucceeded':
      case 'ExecutionFailed': {
        // A run's workflow and workspace never change: any state of it as far as this event will do.
        const { state } = await loadState(this.store, executionDecider, executionStream(String(data.executionId)), { atLeast: recorded.revision });
        const source: EventSource = recorded.type === 'ExecutionSucceeded' ? 'execution.succeeded' : 'execution.failed';
        return { ...base, workspaceId: state.workspaceId || base.workspaceId, source, type: source, workflowId: state.workflowId, data };
      }
      case 'TaskCreated':
        return { ...base, workspaceId: String(data.workspaceId ?? base.workspaceId), source: 'task.created', type: 'task.created', data };
      case CUSTOM_EVENT_TYPE: {
        const custom = data as unknown as CustomEventData;
        return { ...base, source: 'custom', type: custom.type, data: custom.data };
      }
      default:
        return undefined;
    }
  }
}

type PostCustomEvent = Command<'PostCustomEvent', CustomEventData>;
const customEventDecider: Decider<PostCustomEvent, { type: typeof CUSTOM_EVENT_TYPE; data: CustomEventData }, { posted: boolean }> = {
  initialState: () => ({ posted: false }),
  evolve: () => ({ posted: true }),
  decide: (command, state) => (state.posted ? [] : [{ type: CUSTOM_EVENT_TYPE, data: command.data }]),
};

/** POST /api/events: one stream per custom event, so the forwarder publishes it like any other event. */
export function postCustomEvent(store: EventStore, command: PostCustomEvent): Promise<CommandResult> {
  return handleCommand(store, customEventDecider, customEventStream(command.data.eventId), command, { cache: false });
}
