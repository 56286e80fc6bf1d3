import type { EdgeDefinition, StepDefinition, WorkflowDefinition } from '@contracts/workflow';
import type { DefinitionDiff, EntityDiff } from '@contracts/read-models/definition-diff';

export type { EntityChange, EntityDiff, FieldChange } from '@contracts/read-models/definition-diff';

/**
 * What `GET /api/workflows/:id/versions/:a/diff/:b` answers (src/domain/workflow/definition-diff.ts),
 * and how the designer paints it: version b's graph, with added steps and edges in green, changed
 * ones in amber, and what b no longer has drawn as red ghosts where it used to be. Pure; tested in
 * diff-highlight.spec.ts.
 */
/** The API's answer, with the two version numbers it compares. */
export interface VersionDiff extends DefinitionDiff {
  from: number;
  to: number;
}

export type Mark = 'added' | 'changed' | 'removed' | 'moved';

export interface DiffView {
  /** b's graph plus the removed steps and edges (ghosts), ready to draw. */
  definition: WorkflowDefinition;
  steps: Map<string, Mark>;
  edges: Map<string, Mark>;
  /** Per changed step: the fields that changed (`config.to`, `name`, ...). */
  changedFields: Map<string, string[]>;
  summary: { added: number; changed: number; removed: number; edgesAdded: number; edgesRemoved: number; other: string[] };
}

export function diffView(diff: VersionDiff, target: WorkflowDefinition): DiffView {
  const steps = new Map<string, Mark>();
  const edges = new Map<string, Mark>();
  const changedFields = new Map<string, string[]>();
  for (const s of diff.steps.added) steps.set(s.id, 'added');
  for (const c of diff.steps.changed) {
    const fields = c.fields.map((f) => f.field);
    changedFields.set(c.id, fields);
    // A step that only moved is drawn apart from one whose behaviour changed.
    steps.set(c.id, fields.every((f) => f === 'position') ? 'moved' : 'changed');
  }
  for (const s of diff.steps.removed) steps.set(s.id, 'removed');
  for (const e of diff.edges.added) edges.set(e.id, 'added');
  for (const c of diff.edges.changed) edges.set(c.id, 'changed');
  for (const e of diff.edges.removed) edges.set(e.id, 'removed');

  const present = new Set(target.steps.map((s) => s.id));
  const ghosts = diff.steps.removed.filter((s) => !present.has(s.id));
  const drawable = new Set([...present, ...ghosts.map((s) => s.id)]);
  const presentEdges = new Set(target.edges.map((e) => e.id));
  const ghostEdges = diff.edges.removed.filter((e) => !presentEdges.has(e.id) && drawable.has(e.from) && drawable.has(e.to));

  const other: string[] = [];
  const count = (n: number, noun: string, verb: string) => (n ? [`${n} ${noun}${n === 1 ? '' : 's'} ${verb}`] : []);
  other.push(...count(diff.variables.added.length, 'variable', 'added'));
  other.push(...count(diff.variables.removed.length, 'variable', 'removed'));
  other.push(...count(diff.variables.changed.length, 'variable', 'changed'));
  if (diff.triggers.added.length + diff.triggers.removed.length + diff.triggers.changed.length) other.push('triggers changed');
  if (diff.tags.added.length + diff.tags.removed.length) other.push('tags changed');

  return {
    definition: { ...target, steps: [...target.steps, ...ghosts], edges: [...target.edges, ...ghostEdges] },
    steps,
    edges,
    changedFields,
    summary: {
      added: diff.steps.added.length,
      changed: diff.steps.changed.length,
      removed: diff.steps.removed.length,
      edgesAdded: diff.edges.added.length,
      edgesRemoved: diff.edges.removed.length,
      other,
    },
  };
}

export function isEmptyDiff(diff: VersionDiff): boolean {
  const none = (d: EntityDiff<unknown>) => !d.added.length && !d.removed.length && !d.changed.length && !d.order;
  return none(diff.steps) && none(diff.edges) && none(diff.variables) && none(diff.triggers) && !diff.tags.added.length && !diff.tags.removed.length;
}
