import type { VariableDefinition, WorkflowDefinition } from '@contracts/workflow';

/**
 * Shapes of the engine API (src/api/executions.controller.ts, approvals.controller.ts) and the pure
 * logic the execution views share: step colours from a run's detail or from its state at event N,
 * the SSE wire format, and the run form generated from a workflow's variables. Tested in
 * execution-model.spec.ts.
 */
export interface ExecutionSummary {
  id: string;
  workflowId: string;
  version: number;
  status: string;
  trigger?: { kind: string; userId: string | null };
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  stepsTotal: number;
  stepsDone: number;
  error: unknown;
}

export interface StepAttempt {
  stepId: string;
  attempt: number;
  actionType?: string;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  input: unknown;
  output: unknown;
  steps: StepAttempt[];
}

export interface TimelineEvent {
  number: number;
  type: string;
  data: unknown;
  occurredAt: string;
  /** Log position (live events only): the detail read as of it shows this event applied. */
  position?: string;
}

export interface StateAt {
  at: number;
  occurredAt: string | null;
  lastEvent: { number: number; type: string } | null;
  status: string;
  version: number;
  input: unknown;
  steps: Record<string, { status: string; attempt: number; output: unknown; error: unknown; waitingFor?: string }>;
}

export interface Approval {
  id: string;
  executionId: string;
  stepId: string;
  workflowId: string;
  title: string | null;
  message: string;
  requireComment: boolean;
  status: string;
  requestedAt: string | null;
  timeoutAt: string | null;
}

export const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Which control buttons a run in this status offers. */
export function controlsFor(status: string): ('pause' | 'resume' | 'cancel' | 'retry')[] {
  switch (status) {
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    case 'failed':
      return ['retry'];
    default:
      return [];
  }
}

export function statusTone(status: string): 'ok' | 'error' | 'warn' | 'info' | 'muted' {
  if (status === 'succeeded') return 'ok';
  if (status === 'failed' || status === 'timed_out') return 'error';
  if (status === 'paused' || status === 'waiting' || status === 'waiting_retry' || status === 'cancelled') return 'warn';
  if (status === 'running' || status === 'scheduled') return 'info';
  return 'muted';
}

/** The last attempt of each step (the one whose state is the step's state). */
export function latestAttempts(steps: readonly StepAttempt[]): Map<string, StepAttempt> {
  const latest = new Map<string, StepAttempt>();
  for (const s of steps) {
    const seen = latest.get(s.stepId);
    if (!seen || s.attempt >= seen.attempt) latest.set(s.stepId, s);
  }
  return latest;
}

/** Canvas marks (`run-<status>`) for every step of the definition; steps not reached yet are pending. */
export function marksFromDetail(definition: WorkflowDefinition, steps: readonly StepAttempt[]): Map<string, string> {
  const latest = latestAttempts(steps);
  return new Map(definition.steps.map((s) => [s.id, `run-${latest.get(s.id)?.status ?? 'pending'}`]));
}

export function marksFromState(definition: WorkflowDefinition, state: StateAt): Map<string, string> {
  return new Map(definition.steps.map((s) => [s.id, `run-${state.steps[s.id]?.status ?? 'pending'}`]));
}

/** The definition a run is pinned to, from its first event (ExecutionStarted carries it). */
export function pinnedDefinition(events: readonly TimelineEvent[]): WorkflowDefinition | null {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  const def = (started?.data as { definition?: WorkflowDefinition } | undefined)?.definition;
  return def && Array.isArray(def.steps) ? def : null;
}

/** One human line per event, for the timeline. */
export function describeEvent(e: TimelineEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const step = typeof d['stepId'] === 'string' ? ` · ${d['stepId']}` : '';
  const attempt = typeof d['attempt'] === 'number' && d['attempt'] > 1 ? ` (attempt ${d['attempt']})` : '';
  const words = e.type.replace(/([a-z])([A-Z])/g, '$1 $2');
  return `${words}${step}${attempt}`;
}

// ----- Server-Sent Events over fetch (EventSource cannot send the bearer token) -----

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Splits a buffer into complete SSE messages; returns them and what is left for the next chunk. */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  const normalised = buffer.replace(/\r\n/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length) messages.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
  }
  return { messages, rest };
}

// ----- The run form -----

export interface RunField {
  name: string;
  type: VariableDefinition['type'];
  required: boolean;
  description?: string;
  /** What the input starts with (the default, as text). */
  initial: string | boolean;
}

export function runFields(variables: readonly VariableDefinition[]): RunField[] {
  return variables.map((v) => ({
    name: v.name,
    type: v.type,
    required: v.required,
    description: v.description,
    initial:
      v.type === 'boolean'
        ? v.default === true
        : v.default === undefined
          ? ''
          : typeof v.default === 'string'
            ? v.default
            : JSON.stringify(v.default),
  }));
}

/** The run's input from what was typed, or the problems by field. */
export function buildInput(fields: readonly RunField[], raw: Record<string, string | boolean>): { input: Record<string, unknown>; problems: Record<string, string> } {
  const input: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of fields) {
    const value = raw[f.name];
    if (f.type === 'boolean') {
      input[f.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      if (f.required) problems[f.name] = `${f.name} is required`;
      continue;
    }
    switch (f.type) {
      case 'number': {
        const n = Number(text);
        if (!Number.isFinite(n)) problems[f.name] = 'Enter a number';
        else input[f.name] = n;
        break;
      }
      case 'object':
      case 'array': {
        try {
          const parsed = JSON.parse(text) as unknown;
          const ok = f.type === 'array' ? Array.isArray(parsed) : !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
          if (ok) input[f.name] = parsed;
          else problems[f.name] = f.type === 'array' ? 'Enter a JSON list, e.g. ["a", "b"]' : 'Enter a JSON object, e.g. {"key": "value"}';
        } catch {
          problems[f.name] = 'Not valid JSON';
        }
        break;
      }
      case 'date':
        if (Number.isNaN(Date.parse(text))) problems[f.name] = 'Enter a date, e.g. 2025-01-31';
        else input[f.name] = text;
        break;
      default:
        input[f.name] = text;
    }
  }
  return { input, problems };
}
