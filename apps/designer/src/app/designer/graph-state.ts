import type { EdgeDefinition, ErrorStrategy, JoinMode, Position, RetryPolicy, StepDefinition, VariableDefinition, WorkflowDefinition } from '@contracts/workflow';

/**
 * The designer's graph logic, free of Angular: the edits a person makes (each one fine-grained
 * command of the API), how each changes the local draft (the same rules as the server's
 * `evolveGraph`), the edits that undo it, the HTTP request that sends it, and the undo/redo
 * history. Tested in graph-state.spec.ts.
 */
export type GraphOp =
  | { kind: 'addStep'; step: StepDefinition }
  | { kind: 'removeStep'; stepId: string }
  | { kind: 'moveStep'; stepId: string; position: Position }
  | { kind: 'configureStep'; stepId: string; config: Record<string, unknown> }
  | { kind: 'renameStep'; stepId: string; name: string }
  | { kind: 'setPolicy'; stepId: string; errorStrategy: ErrorStrategy; retryPolicy?: RetryPolicy; timeoutMs?: number; join?: JoinMode }
  | { kind: 'connect'; edge: EdgeDefinition }
  | { kind: 'disconnect'; edgeId: string }
  | { kind: 'declareVariable'; variable: VariableDefinition }
  | { kind: 'removeVariable'; name: string }
  | { kind: 'setTags'; tags: string[] };

export interface HttpCall {
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
}

/** The draft after one edit. Pure; an edit naming a missing step or edge leaves the draft as it is. */
export function applyOp(d: WorkflowDefinition, op: GraphOp): WorkflowDefinition {
  const updateStep = (id: string, change: (s: StepDefinition) => StepDefinition): WorkflowDefinition => ({
    ...d,
    steps: d.steps.map((s) => (s.id === id ? change(s) : s)),
  });
  switch (op.kind) {
    case 'addStep':
      return d.steps.some((s) => s.id === op.step.id) ? d : { ...d, steps: [...d.steps, op.step] };
    case 'removeStep':
      return {
        ...d,
        steps: d.steps.filter((s) => s.id !== op.stepId),
        edges: d.edges.filter((e) => e.from !== op.stepId && e.to !== op.stepId),
      };
    case 'moveStep':
      return updateStep(op.stepId, (s) => ({ ...s, position: { x: op.position.x, y: op.position.y } }));
    case 'configureStep':
      return updateStep(op.stepId, (s) => ({ ...s, config: op.config }));
    case 'renameStep':
      return updateStep(op.stepId, (s) => ({ ...s, name: op.name }));
    case 'setPolicy':
      // Like the server's StepPolicyChanged: what the edit leaves out (retry, timeout, join) goes back to its default.
      return updateStep(op.stepId, ({ retryPolicy: _r, timeoutMs: _t, join: _j, ...s }) => ({
        ...s,
        errorStrategy: op.errorStrategy,
        ...(op.retryPolicy ? { retryPolicy: op.retryPolicy } : {}),
        ...(op.timeoutMs !== undefined ? { timeoutMs: op.timeoutMs } : {}),
        ...(op.join !== undefined ? { join: op.join } : {}),
      }));
    case 'connect':
      return d.edges.some((e) => e.id === op.edge.id) ? d : { ...d, edges: [...d.edges, op.edge] };
    case 'disconnect':
      return { ...d, edges: d.edges.filter((e) => e.id !== op.edgeId) };
    case 'declareVariable': {
      const at = d.variables.findIndex((v) => v.name === op.variable.name);
      return { ...d, variables: at < 0 ? [...d.variables, op.variable] : d.variables.map((v, i) => (i === at ? op.variable : v)) };
    }
    case 'removeVariable':
      return { ...d, variables: d.variables.filter((v) => v.name !== op.name) };
    case 'setTags':
      return { ...d, tags: normaliseTags(op.tags) };
  }
}

export function applyOps(d: WorkflowDefinition, ops: readonly GraphOp[]): WorkflowDefinition {
  return ops.reduce(applyOp, d);
}

/** The edits that take `d after op` back to `d`. Computed against the draft before the edit. */
export function inverseOf(d: WorkflowDefinition, op: GraphOp): GraphOp[] {
  const step = 'stepId' in op ? d.steps.find((s) => s.id === op.stepId) : undefined;
  switch (op.kind) {
    case 'addStep':
      return [{ kind: 'removeStep', stepId: op.step.id }];
    case 'removeStep': {
      if (!step) return [];
      const edges = d.edges.filter((e) => e.from === op.stepId || e.to === op.stepId);
      return [{ kind: 'addStep', step }, ...edges.map((edge): GraphOp => ({ kind: 'connect', edge }))];
    }
    case 'moveStep':
      return step ? [{ kind: 'moveStep', stepId: op.stepId, position: step.position }] : [];
    case 'configureStep':
      return step ? [{ kind: 'configureStep', stepId: op.stepId, config: step.config }] : [];
    case 'renameStep':
      return step ? [{ kind: 'renameStep', stepId: op.stepId, name: step.name }] : [];
    case 'setPolicy':
      return step
        ? [{ kind: 'setPolicy', stepId: op.stepId, errorStrategy: step.errorStrategy, retryPolicy: step.retryPolicy, timeoutMs: step.timeoutMs, join: step.join }]
        : [];
    case 'connect':
      return [{ kind: 'disconnect', edgeId: op.edge.id }];
    case 'disconnect': {
      const edge = d.edges.find((e) => e.id === op.edgeId);
      return edge ? [{ kind: 'connect', edge }] : [];
    }
    case 'declareVariable': {
      const before = d.variables.find((v) => v.name === op.variable.name);
      return before ? [{ kind: 'declareVariable', variable: before }] : [{ kind: 'removeVariable', name: op.variable.name }];
    }
    case 'removeVariable': {
      const before = d.variables.find((v) => v.name === op.name);
      return before ? [{ kind: 'declareVariable', variable: before }] : [];
    }
    case 'setTags':
      return [{ kind: 'setTags', tags: d.tags }];
  }
}

/** The inverse of a batch: each edit's inverse, computed at its point in the batch, in reverse order. */
export function inverseOfAll(d: WorkflowDefinition, ops: readonly GraphOp[]): GraphOp[] {
  const inverses: GraphOp[][] = [];
  let current = d;
  for (const op of ops) {
    inverses.push(inverseOf(current, op));
    current = applyOp(current, op);
  }
  return inverses.reverse().flat();
}

/** The API command an edit is sent as (routes of src/api/workflow-graph.controller.ts). */
export function toHttp(workflowId: string, op: GraphOp): HttpCall {
  const base = `/api/workflows/${encodeURIComponent(workflowId)}`;
  const step = (id: string) => `${base}/steps/${encodeURIComponent(id)}`;
  switch (op.kind) {
    case 'addStep': {
      const { id, name, type, config, position, errorStrategy, retryPolicy, timeoutMs, join } = op.step;
      return {
        method: 'POST',
        url: `${base}/steps`,
        body: { id, name, type, config, position, errorStrategy, ...(retryPolicy ? { retryPolicy } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(join !== undefined ? { join } : {}) },
      };
    }
    case 'removeStep':
      return { method: 'DELETE', url: step(op.stepId) };
    case 'moveStep':
      return { method: 'PUT', url: `${step(op.stepId)}/position`, body: { x: Math.round(op.position.x), y: Math.round(op.position.y) } };
    case 'configureStep':
      return { method: 'PUT', url: `${step(op.stepId)}/config`, body: { config: op.config } };
    case 'renameStep':
      return { method: 'PUT', url: `${step(op.stepId)}/name`, body: { name: op.name } };
    case 'setPolicy':
      return {
        method: 'PUT',
        url: `${step(op.stepId)}/policy`,
        body: {
          errorStrategy: op.errorStrategy,
          ...(op.retryPolicy ? { retryPolicy: op.retryPolicy } : {}),
          ...(op.timeoutMs !== undefined ? { timeoutMs: op.timeoutMs } : {}),
          ...(op.join !== undefined ? { join: op.join } : {}),
        },
      };
    case 'connect': {
      const { id, from, to, condition, label } = op.edge;
      return { method: 'POST', url: `${base}/edges`, body: { id, from, to, ...(condition ? { condition } : {}), ...(label ? { label } : {}) } };
    }
    case 'disconnect':
      return { method: 'DELETE', url: `${base}/edges/${encodeURIComponent(op.edgeId)}` };
    case 'declareVariable': {
      const { name, type, required, default: def, description } = op.variable;
      return {
        method: 'PUT',
        url: `${base}/variables/${encodeURIComponent(name)}`,
        body: { type, required, ...(def !== undefined ? { default: def } : {}), ...(description ? { description } : {}) },
      };
    }
    case 'removeVariable':
      return { method: 'DELETE', url: `${base}/variables/${encodeURIComponent(op.name)}` };
    case 'setTags':
      return { method: 'PUT', url: `${base}/tags`, body: { tags: op.tags } };
  }
}

export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

/** A new step id that reads well in expressions (`steps.send_email_2.output`) and is free in `d`. */
export function newStepId(d: WorkflowDefinition, type: string): string {
  const base = type.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56) || 'step';
  const taken = new Set(d.steps.map((s) => s.id));
  for (let n = 1; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A new edge id, free in `d`. */
export function newEdgeId(d: WorkflowDefinition, from: string, to: string): string {
  const taken = new Set(d.edges.map((e) => e.id));
  const base = `e_${from}_${to}`.slice(0, 58);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** Ports on the canvas: one input per step, one output per branch label ('' = the plain output). */
export const inPort = (stepId: string) => `in:${stepId}`;
export const outPort = (stepId: string, label = '') => `out:${stepId}:${label}`;

export function parsePort(id: string): { dir: 'in' | 'out'; stepId: string; label: string } | null {
  const m = /^(in|out):([A-Za-z0-9_-]+)(?::(.*))?$/.exec(id);
  return m ? { dir: m[1] as 'in' | 'out', stepId: m[2]!, label: m[3] ?? '' } : null;
}

/** The edit a drag between two ports means, or a reason to refuse it. */
export function connectionFromPorts(d: WorkflowDefinition, sourcePort: string, targetPort: string | undefined): GraphOp | string {
  const source = parsePort(sourcePort);
  const target = targetPort ? parsePort(targetPort) : null;
  if (!source || source.dir !== 'out' || !target || target.dir !== 'in') return 'Drop the connection on the input of another step';
  if (source.stepId === target.stepId) return 'A step cannot lead to itself; use a loop step';
  const label = source.label || undefined;
  if (d.edges.some((e) => e.from === source.stepId && e.to === target.stepId && (e.label ?? '') === (label ?? ''))) {
    return 'Those steps are already connected';
  }
  return { kind: 'connect', edge: { id: newEdgeId(d, source.stepId, target.stepId), from: source.stepId, to: target.stepId, ...(label ? { label } : {}) } };
}

/** One undoable change: what was done and what undoes it. */
export interface HistoryEntry {
  label: string;
  forward: GraphOp[];
  inverse: GraphOp[];
}

/** Undo and redo stacks of edits (bounded). */
export class EditHistory {
  private readonly done: HistoryEntry[] = [];
  private readonly undone: HistoryEntry[] = [];

  constructor(private readonly limit = 100) {}

  record(label: string, before: WorkflowDefinition, forward: GraphOp[]): void {
    if (!forward.length) return;
    this.done.push({ label, forward, inverse: inverseOfAll(before, forward) });
    if (this.done.length > this.limit) this.done.shift();
    this.undone.length = 0;
  }

  /** The entry to undo (its `inverse` is what to send), moved to the redo stack. */
  undo(): HistoryEntry | undefined {
    const entry = this.done.pop();
    if (entry) this.undone.push(entry);
    return entry;
  }

  redo(): HistoryEntry | undefined {
    const entry = this.undone.pop();
    if (entry) this.done.push(entry);
    return entry;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  get nextUndoLabel(): string | undefined {
    return this.done[this.done.length - 1]?.label;
  }
  get nextRedoLabel(): string | undefined {
    return this.undone[this.undone.length - 1]?.label;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
