import { HttpException } from '@nestjs/common';
import type { TriggerKind, VariableDefinition, WorkflowDefinition } from '@contracts';
import { TRIGGER_KINDS, findAction } from '@contracts';
import { EXPRESSION_ROOTS, rootsOf } from '../domain/workflow/definition.validator';
import { expressionSitesIn } from '../domain/workflow/action-config.validator';
import { problem } from './problem';
import type { DefinitionInput } from './workflow-definition.dto';

const STEP_SPACING = 240;
const TRIGGER_ALIASES: Record<string, TriggerKind> = { scheduled: 'cron', schedule: 'cron', cron: 'cron' };
/** Config keys whose whole value, when it is one `{{ variable }}`, is data rather than text. */
const DATA_KEYS = new Set(['body', 'data', 'payload', 'input']);

/**
 * A whole definition as the API receives it (ours, or the seed's snake_case shape) turned into
 * the graph: seed step types resolve through the catalogue's aliases, steps without edges run in
 * `order`, positions are laid out left to right, and variables used in `{{ }}` but not declared are
 * declared (text, or data for body/data/payload/input) so the seed's example is a valid workflow.
 */
export function definitionFromInput(input: DefinitionInput): WorkflowDefinition {
  const steps = (input.steps ?? [])
    .map((s, index) => ({ s, index, order: s.order ?? index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ s }, index) => {
      const requested = s.type ?? s.step_type;
      if (!requested) throw badRequest('step-type-required', `Step ${s.name} needs a type (or step_type)`);
      const action = findAction(requested);
      if (!action) throw new HttpException(problem(422, 'unknown-action-type', 'Unknown action type', `Unknown action type ${requested}`), 422);
      return {
        id: s.id ?? `step-${index + 1}`,
        name: s.name,
        type: action.type,
        config: s.config ?? {},
        position: s.position ? { x: s.position.x, y: s.position.y } : { x: index * STEP_SPACING, y: 0 },
        errorStrategy: s.errorStrategy ?? 'fail',
        ...(s.retryPolicy ? { retryPolicy: { ...s.retryPolicy } } : {}),
        ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
        ...(s.join !== undefined ? { join: s.join } : {}),
      };
    });
  const edges = input.edges
    ? input.edges.map((e, i) => ({ id: e.id ?? `edge-${i + 1}`, from: e.from, to: e.to, ...(e.condition ? { condition: e.condition } : {}), ...(e.label ? { label: e.label } : {}) }))
    : steps.slice(1).map((step, i) => ({ id: `edge-${i + 1}`, from: steps[i].id, to: step.id }));
  const triggers = (input.triggers ?? []).map((t, i) => {
    const raw = (t.kind ?? t.trigger_type ?? 'manual').toLowerCase();
    const kind = TRIGGER_ALIASES[raw] ?? raw;
    if (!TRIGGER_KINDS.includes(kind as TriggerKind)) throw badRequest('unknown-trigger-type', `Unknown trigger type ${raw}`);
    return { id: t.id ?? `trigger-${i + 1}`, kind: kind as TriggerKind, name: t.name, enabled: t.enabled ?? t.is_enabled ?? true, config: t.config ?? {} };
  });
  const variables: VariableDefinition[] = (input.variables ?? []).map((v) => ({
    name: v.name,
    type: v.type,
    required: v.required ?? false,
    ...(v.default !== undefined ? { default: v.default } : {}),
    ...(v.description ? { description: v.description } : {}),
  }));
  const declared = new Set(variables.map((v) => v.name));
  for (const step of steps) {
    for (const site of expressionSitesIn(step.type, step.config)) {
      for (const name of rootsOf(site.expression)) {
        if (declared.has(name) || EXPRESSION_ROOTS.has(name)) continue;
        declared.add(name);
        const key = site.path.split('/').filter(Boolean)[0] ?? '';
        variables.push({
          name,
          type: DATA_KEYS.has(key) ? 'object' : 'string',
          required: false,
          description: `Declared from {{ ${site.expression} }} in ${step.name}`,
        });
      }
    }
  }
  return { steps, edges, variables, triggers, tags: input.tags ?? [] };
}

function badRequest(code: string, detail: string): HttpException {
  return new HttpException(problem(400, code, 'Bad request', detail), 400);
}
