import type { DefinitionDiff, EdgeDefinition, EntityChange, EntityDiff, FieldChange, StepDefinition, TagsDiff, TriggerDefinition, VariableDefinition, WorkflowDefinition } from '@contracts';

export type { DefinitionDiff, EntityChange, EntityDiff, FieldChange, TagsDiff } from '@contracts';
import { DomainError } from '../decider';

/**
 * The difference between two workflow definitions (a draft and a published version, two
 * versions, ...), field by field, and the patch it stands for. Pure: no I/O, no clock, nothing
 * mutated; results may share unchanged sub-objects with the inputs, as `evolveGraph` does.
 *
 * - Steps, edges and triggers are matched by `id`, variables by `name`. An entity on one side only
 *   is `added` / `removed` (whole); an entity on both sides whose content differs is `changed`,
 *   with one entry per top-level field that differs. A field present on one side only has
 *   `before` / `after` `undefined`.
 * - The `config` of steps and triggers goes one level deeper: `config.to`, `config.template`, ...
 *   so a user sees which key of the config changed (the value of that key is compared and
 *   reported whole). Only if one side's config is not an object is `config` reported whole.
 * - Values are compared as JSON: object key order does not matter, array order does, and a key
 *   whose value is `undefined` counts as absent.
 *
 * Order. Added/removed/changed alone cannot rebuild `b` exactly: a designer may reorder steps (or
 * variables, or tags) without changing them, and where added entities go is not in the sets.
 * So each entity kind, and the tags, carry an `order`: b's ids (names, tags) in b's order. To
 * keep diffs small and `isEmptyDiff` decidable from the diff alone, `order` is recorded only
 * when b's order is not the natural one — a's order with the removed ones dropped and the
 * added ones appended in b's order, which is what an ordinary edit (add, remove, change) gives.
 * So `order` is present exactly when something was moved or inserted in the middle.
 *
 * Preconditions: ids (names) are unique within each list, as the decider guarantees; a duplicate
 * is a `rule_violated` DomainError (`duplicate-id`) rather than a silently wrong diff. Unknown
 * extra fields on an entity are diffed as top-level fields, so nothing is lost in a round trip
 * (one whose name itself starts with `config.` would read as a config key: none exists).
 */

interface EntityKind<T> {
  kind: 'step' | 'edge' | 'variable' | 'trigger';
  /** The field that identifies an entity; never diffed. */
  keyField: keyof T & string;
  /** Fields listed first, in this order; any other field follows, sorted. */
  fieldOrder: readonly string[];
  /** Object fields diffed one level deeper (`config.<key>`). */
  deep: readonly string[];
}

const STEP: EntityKind<StepDefinition> = {
  kind: 'step',
  keyField: 'id',
  fieldOrder: ['name', 'type', 'config', 'position', 'errorStrategy', 'retryPolicy', 'timeoutMs', 'join'],
  deep: ['config'],
};
const EDGE: EntityKind<EdgeDefinition> = { kind: 'edge', keyField: 'id', fieldOrder: ['from', 'to', 'condition', 'label'], deep: [] };
const VARIABLE: EntityKind<VariableDefinition> = {
  kind: 'variable',
  keyField: 'name',
  fieldOrder: ['type', 'default', 'required', 'description'],
  deep: [],
};
const TRIGGER: EntityKind<TriggerDefinition> = { kind: 'trigger', keyField: 'id', fieldOrder: ['kind', 'name', 'enabled', 'config'], deep: ['config'] };

/** What changed from `a` to `b`, entity by entity and field by field. */
export function diffDefinitions(a: WorkflowDefinition, b: WorkflowDefinition): DefinitionDiff {
  return {
    steps: diffEntities(STEP, a.steps, b.steps),
    edges: diffEntities(EDGE, a.edges, b.edges),
    variables: diffEntities(VARIABLE, a.variables, b.variables),
    triggers: diffEntities(TRIGGER, a.triggers, b.triggers),
    tags: diffTags(a.tags, b.tags),
  };
}

/**
 * `a` with `diff` applied: `applyDiff(a, diffDefinitions(a, b))` deep-equals `b`, array orders
 * included. A strict patch: if `a` is not the base the diff was made from (an id it removes or
 * changes is missing, an id it adds exists, a `before` or a removed entity does not match), it
 * throws a `conflict` DomainError (`diff-does-not-apply`) instead of guessing.
 */
export function applyDiff(a: WorkflowDefinition, diff: DefinitionDiff): WorkflowDefinition {
  return {
    ...a,
    steps: applyEntities(STEP, a.steps, diff.steps),
    edges: applyEntities(EDGE, a.edges, diff.edges),
    variables: applyEntities(VARIABLE, a.variables, diff.variables),
    triggers: applyEntities(TRIGGER, a.triggers, diff.triggers),
    tags: applyTags(a.tags, diff.tags),
  };
}

/** True when the diff changes nothing (the two definitions are equal as JSON, orders included). */
export function isEmptyDiff(diff: DefinitionDiff): boolean {
  const entities: EntityDiff<unknown>[] = [diff.steps, diff.edges, diff.variables, diff.triggers];
  return (
    entities.every((e) => e.added.length === 0 && e.removed.length === 0 && e.changed.length === 0 && e.order === undefined) &&
    diff.tags.added.length === 0 &&
    diff.tags.removed.length === 0 &&
    diff.tags.order === undefined
  );
}

// ---------------------------------------------------------------------------------------------
// Entities

function diffEntities<T extends object>(kind: EntityKind<T>, as: readonly T[], bs: readonly T[]): EntityDiff<T> {
  const inA = indexByKey(kind, as);
  const inB = indexByKey(kind, bs);
  const removed = as.filter((x) => !inB.has(keyOf(kind, x)));
  const added = bs.filter((x) => !inA.has(keyOf(kind, x)));
  const changed: EntityChange[] = [];
  for (const after of bs) {
    const id = keyOf(kind, after);
    const before = inA.get(id);
    if (before === undefined) continue;
    const fields = diffFields(kind, before, after);
    if (fields.length > 0) changed.push({ id, fields });
  }
  const natural = [...as.map((x) => keyOf(kind, x)).filter((id) => inB.has(id)), ...added.map((x) => keyOf(kind, x))];
  const order = bs.map((x) => keyOf(kind, x));
  return sameSequence(natural, order) ? { added, removed, changed } : { added, removed, changed, order };
}

function diffFields<T extends object>(kind: EntityKind<T>, before: T, after: T): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fieldNames(kind, before, after)) {
    const x = own(before, field);
    const y = own(after, field);
    if (kind.deep.includes(field) && isPlainObject(x) && isPlainObject(y)) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        const kx = own(x, key);
        const ky = own(y, key);
        if (!deepEqual(kx, ky)) changes.push({ field: `${field}.${key}`, before: kx, after: ky });
      }
    } else if (!deepEqual(x, y)) {
      changes.push({ field, before: x, after: y });
    }
  }
  return changes;
}

function fieldNames<T extends object>(kind: EntityKind<T>, before: T, after: T): string[] {
  const present = new Set([...Object.keys(before), ...Object.keys(after)]);
  present.delete(kind.keyField);
  const known = kind.fieldOrder.filter((f) => present.has(f));
  const extra = [...present].filter((f) => !kind.fieldOrder.includes(f)).sort();
  return [...known, ...extra];
}

function applyEntities<T extends object>(kind: EntityKind<T>, base: readonly T[], diff: EntityDiff<T>): T[] {
  // A Map keeps insertion order: survivors stay where they were, updates keep their place and
  // additions go last, which is exactly the natural order `diffEntities` leaves implicit.
  const byId = indexByKey(kind, base);
  for (const gone of diff.removed) {
    const id = keyOf(kind, gone);
    const current = byId.get(id);
    if (current === undefined) throw conflict(`removes ${kind.kind} ${id}, which does not exist`);
    if (!deepEqual(current, gone)) throw conflict(`removes ${kind.kind} ${id}, which has changed since`);
    byId.delete(id);
  }
  for (const change of diff.changed) {
    const current = byId.get(change.id);
    if (current === undefined) throw conflict(`changes ${kind.kind} ${change.id}, which does not exist`);
    byId.set(change.id, applyFields(kind, change.id, current, change.fields));
  }
  for (const entity of diff.added) {
    const id = keyOf(kind, entity);
    if (byId.has(id)) throw conflict(`adds ${kind.kind} ${id}, which already exists`);
    byId.set(id, entity);
  }
  if (diff.order === undefined) return [...byId.values()];
  if (diff.order.length !== byId.size || new Set(diff.order).size !== diff.order.length || !diff.order.every((id) => byId.has(id))) {
    throw conflict(`orders ${kind.kind}s ${diff.order.join(', ')}, which are not the ones the diff leaves`);
  }
  return diff.order.map((id) => byId.get(id) as T);
}

function applyFields<T extends object>(kind: EntityKind<T>, id: string, entity: T, fields: readonly FieldChange[]): T {
  const out = { ...entity } as Record<string, unknown>;
  const deepCopies = new Map<string, Record<string, unknown>>();
  for (const { field, before, after } of fields) {
    const dot = field.indexOf('.');
    const parent = dot > 0 ? field.slice(0, dot) : undefined;
    if (parent !== undefined && kind.deep.includes(parent)) {
      const key = field.slice(dot + 1);
      const original = own(entity, parent);
      if (!isPlainObject(original)) throw conflict(`changes ${field} of ${kind.kind} ${id}, whose ${parent} is not an object`);
      if (!deepEqual(own(original, key), before)) throw conflict(`changes ${field} of ${kind.kind} ${id}, which has changed since`);
      let copy = deepCopies.get(parent);
      if (copy === undefined) {
        copy = { ...original };
        deepCopies.set(parent, copy);
        setOwn(out, parent, copy);
      }
      setOwn(copy, key, after);
    } else {
      if (field === kind.keyField) throw conflict(`changes the ${field} of ${kind.kind} ${id}`);
      if (!deepEqual(own(entity, field), before)) throw conflict(`changes ${field} of ${kind.kind} ${id}, which has changed since`);
      setOwn(out, field, after);
    }
  }
  return out as T;
}

function keyOf<T extends object>(kind: EntityKind<T>, entity: T): string {
  return entity[kind.keyField] as unknown as string;
}

function indexByKey<T extends object>(kind: EntityKind<T>, list: readonly T[]): Map<string, T> {
  const byId = new Map<string, T>();
  for (const entity of list) {
    const id = keyOf(kind, entity);
    if (byId.has(id)) throw new DomainError('rule_violated', 'duplicate-id', `Two ${kind.kind}s have the ${kind.keyField} ${id}`);
    byId.set(id, entity);
  }
  return byId;
}

// ---------------------------------------------------------------------------------------------
// Tags (plain strings: added/removed as sets, order as a whole)

function diffTags(a: readonly string[], b: readonly string[]): TagsDiff {
  const inA = new Set(a);
  const inB = new Set(b);
  const added = [...new Set(b.filter((t) => !inA.has(t)))];
  const removed = [...new Set(a.filter((t) => !inB.has(t)))];
  const natural = [...a.filter((t) => inB.has(t)), ...added];
  return sameSequence(natural, b) ? { added, removed } : { added, removed, order: [...b] };
}

function applyTags(base: readonly string[], diff: TagsDiff): string[] {
  const inBase = new Set(base);
  for (const tag of diff.removed) if (!inBase.has(tag)) throw conflict(`removes tag ${tag}, which is not there`);
  for (const tag of diff.added) if (inBase.has(tag)) throw conflict(`adds tag ${tag}, which is already there`);
  const removed = new Set(diff.removed);
  const natural = [...base.filter((t) => !removed.has(t)), ...diff.added];
  if (diff.order === undefined) return natural;
  const expected = new Set(natural);
  const ordered = new Set(diff.order);
  if (ordered.size !== expected.size || ![...ordered].every((t) => expected.has(t))) {
    throw conflict(`orders tags ${diff.order.join(', ')}, which are not the ones the diff leaves`);
  }
  return [...diff.order];
}

// ---------------------------------------------------------------------------------------------
// JSON values

/** Equality of JSON values: key order ignored, `undefined` members absent, array order kept. */
export function deepEqual(x: unknown, y: unknown): boolean {
  if (Object.is(x, y)) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  // Anything but plain objects (a Date, a Map, ...) is not JSON: equal only if identical.
  if (!isPlainObject(x) || !isPlainObject(y)) return false;
  const xs = definedKeys(x);
  const ys = definedKeys(y);
  if (xs.length !== ys.length) return false;
  return xs.every((k) => own(y, k) !== undefined && deepEqual(x[k], y[k]));
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An own property only (a `__proto__` or `constructor` key in a config is data, not inherited). */
function own(o: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Sets or, for `undefined`, deletes an own property; defineProperty so `__proto__` stays data. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete o[key];
  else Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

function sameSequence(x: readonly string[], y: readonly string[]): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function conflict(what: string): DomainError {
  return new DomainError('conflict', 'diff-does-not-apply', `The diff ${what}`);
}
