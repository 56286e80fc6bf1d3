import type { EdgeDefinition, WorkflowDefinition } from '@contracts';

/**
 * The shape of a loop step in a definition (SPEC B2): its body is every step reachable from its
 * edges labelled `each` without passing through the loop again; the edges from the body back into
 * the loop close the cycle (the only cycles a definition may have). A run goes round the body once
 * per item; the walk ignores back edges when it decides whether a step is ready.
 */
export const EACH_LABEL = 'each';

export interface LoopShape {
  loopId: string;
  body: ReadonlySet<string>;
  /** Edge ids from the body back into the loop. */
  backEdges: ReadonlySet<string>;
}

const shapes = new WeakMap<WorkflowDefinition, Map<string, LoopShape>>();

/** Every loop step's shape, by loop id (cached per definition object). */
export function loopShapes(definition: WorkflowDefinition): Map<string, LoopShape> {
  let found = shapes.get(definition);
  if (found) return found;
  found = new Map();
  const next = new Map<string, EdgeDefinition[]>();
  for (const e of definition.edges) next.set(e.from, [...(next.get(e.from) ?? []), e]);
  for (const loop of definition.steps.filter((s) => s.type === 'loop')) {
    const body = new Set<string>();
    const queue = (next.get(loop.id) ?? []).filter((e) => e.label === EACH_LABEL).map((e) => e.to);
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (id === loop.id || body.has(id)) continue;
      body.add(id);
      for (const e of next.get(id) ?? []) queue.push(e.to);
    }
    const backEdges = new Set(definition.edges.filter((e) => e.to === loop.id && body.has(e.from)).map((e) => e.id));
    found.set(loop.id, { loopId: loop.id, body, backEdges });
  }
  shapes.set(definition, found);
  return found;
}

/** Edge ids that close a loop (ignored when deciding readiness and looking for cycles). */
export function backEdgesOf(definition: WorkflowDefinition): Set<string> {
  return new Set([...loopShapes(definition).values()].flatMap((shape) => [...shape.backEdges]));
}

/** The loops a step is inside, outermost first. */
export function enclosingLoops(definition: WorkflowDefinition, stepId: string): LoopShape[] {
  return [...loopShapes(definition).values()].filter((shape) => shape.body.has(stepId)).sort((a, b) => b.body.size - a.body.size);
}
