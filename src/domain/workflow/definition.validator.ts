import type { ValidationIssue, WorkflowDefinition } from '@contracts';
import { findAction } from '@contracts';
import { expressionSitesIn, validateActionConfig } from './action-config.validator';
import { backEdgesOf } from './loops';

/** Roots every expression may use besides the declared variables (see the README's expression section). */
export const EXPRESSION_ROOTS = new Set(['input', 'vars', 'steps', 'execution', 'item', 'index']);
const JSONATA_WORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/**
 * Every rule of SPEC A3 on a draft, as issues (errors block publishing). Pure and fast: a 500-step
 * graph validates in a few milliseconds (bench figure in the README).
 */
export function validateDefinition(definition: WorkflowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { steps, edges } = definition;
  if (steps.length === 0) issues.push({ severity: 'error', code: 'no-steps', message: 'Add at least one step' });

  const stepIds = new Set(steps.map((s) => s.id));
  // Loop steps name their own item and index variables; their bodies may read them.
  const loopVariables = steps
    .filter((s) => s.type === 'loop')
    .flatMap((s) => [String(s.config.itemVariable ?? 'item'), String(s.config.indexVariable ?? 'index')]);
  const declared = new Set([...definition.variables.map((v) => v.name), ...loopVariables]);
  const undeclared = (expression: string) => rootsOf(expression).filter((r) => !declared.has(r) && !EXPRESSION_ROOTS.has(r));

  for (const step of steps) {
    const action = findAction(step.type);
    if (!action) {
      issues.push({ severity: 'error', code: 'unknown-action-type', message: `${step.name}: unknown action type ${step.type}`, stepId: step.id });
      continue;
    }
    const result = validateActionConfig(action.type, step.config);
    if (!result.ok) {
      for (const e of result.errors) {
        issues.push({ severity: 'error', code: 'invalid-config', message: `${step.name}: ${e.path || 'config'} ${e.message}`, stepId: step.id });
      }
    }
    for (const { path, expression } of expressionSitesIn(action.type, step.config)) {
      // A response mapping reads the HTTP response ({ status, headers, body }), not the workflow's variables.
      if (path.startsWith('/responseMapping')) continue;
      for (const name of undeclared(expression)) {
        issues.push({ severity: 'error', code: 'undeclared-variable', message: `${step.name}: {{ ${expression} }} uses ${name}, which is not declared`, stepId: step.id });
      }
    }
    if (step.errorStrategy === 'error_branch' && !edges.some((e) => e.from === step.id && e.label === 'error')) {
      issues.push({ severity: 'warning', code: 'error-branch-missing', message: `${step.name}: routes errors to a branch but has no edge labelled error`, stepId: step.id });
    }
  }

  const validEdges = edges.filter((e) => {
    if (stepIds.has(e.from) && stepIds.has(e.to)) return true;
    issues.push({ severity: 'error', code: 'dangling-edge', message: `An edge leads from or to a step that does not exist`, edgeId: e.id });
    return false;
  });
  for (const edge of validEdges) {
    if (!edge.condition) continue;
    for (const name of undeclared(edge.condition)) {
      issues.push({ severity: 'error', code: 'undeclared-variable', message: `Edge condition uses ${name}, which is not declared`, edgeId: edge.id });
    }
  }

  if (steps.length > 0) {
    // An edge closing a loop (from its body back into it) does not make the loop wait.
    const back = backEdgesOf(definition);
    const incoming = new Set(validEdges.filter((e) => !back.has(e.id)).map((e) => e.to));
    const starts = steps.filter((s) => !incoming.has(s.id));
    if (starts.length === 0) issues.push({ severity: 'error', code: 'missing-start', message: 'Every step has an incoming edge: nothing can start' });
    const reached = reachable(starts.map((s) => s.id), validEdges);
    for (const step of steps) {
      if (starts.length > 0 && !reached.has(step.id)) {
        issues.push({ severity: 'error', code: 'unreachable-step', message: `${step.name} can never run: no path leads to it from a start`, stepId: step.id });
      }
    }
    // Iterating through an explicit loop step is allowed: look for cycles with the loop steps taken out.
    const loops = new Set(steps.filter((s) => s.type === 'loop').map((s) => s.id));
    const withoutLoops = validEdges.filter((e) => !loops.has(e.from) && !loops.has(e.to));
    for (const component of cycles(steps.filter((s) => !loops.has(s.id)).map((s) => s.id), withoutLoops)) {
      const first = steps.find((s) => s.id === component[0])!;
      issues.push({ severity: 'error', code: 'cycle', message: `${first.name} is in a cycle; repeat work with a loop step instead`, stepId: first.id });
    }
  }
  return issues;
}

/** The root identifiers an expression reads: `customer.email` reads customer, `$sum(items)` reads items. */
export function rootsOf(expression: string): string[] {
  let code = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    // Regular expression literals (after an opening bracket, a comma, an operator or the start).
    .replace(/(^|[(,=:!&|~\[]\s*)\/(?:[^/\\\n]|\\.)+\/[a-z]*/g, '$1 ');
  // Names inside a predicate or filter ([status = "open"]) are fields of the current item, not roots.
  for (let previous = ''; previous !== code; ) {
    previous = code;
    code = code.replace(/\[[^\[\]]*\]/g, ' ');
  }
  const roots = new Set<string>();
  for (const match of code.matchAll(/(^|[^.\w$])([A-Za-z_]\w*)(\s*\()?/g)) {
    const [, , name, call] = match;
    if (call || JSONATA_WORDS.has(name)) continue;
    roots.add(name);
  }
  return [...roots];
}

function reachable(from: string[], edges: { from: string; to: string }[]): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const seen = new Set(from);
  const queue = [...from];
  while (queue.length > 0) {
    for (const to of next.get(queue.pop()!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** Strongly connected components with more than one step (Tarjan, iterative). */
function cycles(nodes: string[], edges: { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; child: number }[] = [{ node: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) result.push(component.reverse());
      }
    }
  }
  return result;
}
