/**
 * Benchmark: validating a 500-step, ~600-edge draft (every rule of SPEC A3, configs checked against
 * their JSON Schemas), the work behind every GET /api/workflows/:id. Target (issue 4): under 50 ms.
 * No baseline exists for this one; it prints the median and p95 of 50 runs after a warm-up.
 *
 *   node scripts/build-if-stale.js --api && node dist/bench/validate.js
 */
import type { EdgeDefinition, StepDefinition, WorkflowDefinition } from '@contracts';
import { validateDefinition } from '../src/domain/workflow/definition.validator';

/** 50 blocks of: a condition forking into two branches (a task, an e-mail) that join in a transform. */
function bigDefinition(blocks = 50): WorkflowDefinition {
  const steps: StepDefinition[] = [];
  const edges: EdgeDefinition[] = [];
  const step = (id: string, type: string, config: Record<string, unknown>): string => {
    steps.push({ id, name: id, type, config, position: { x: steps.length * 10, y: 0 }, errorStrategy: 'fail' });
    return id;
  };
  const edge = (from: string, to: string, label?: string) => edges.push({ id: `e${edges.length}`, from, to, ...(label ? { label } : {}) });
  let previous = step('start', 'create_task', { title: 'Start for {{customer_email}}' });
  for (let b = 0; b < blocks; b++) {
    const check = step(`check${b}`, 'condition', { expression: `input.amount > ${b * 10}` });
    const task = step(`task${b}`, 'create_task', { title: `Review {{customer_email}} #${b}`, priority: 'high' });
    const mail = step(`mail${b}`, 'send_email', { to: '{{customer_email}}', template: `notice_${b}` });
    const note = step(`note${b}`, 'create_task', { title: `Follow-up ${b}` });
    const join = step(`join${b}`, 'transform', { assignments: { [`total${b}`]: `input.amount * ${b}` } });
    edge(previous, check);
    edge(check, task, 'true');
    edge(check, mail, 'false');
    edge(task, note);
    edge(note, join);
    edge(mail, join);
    previous = join;
  }
  while (steps.length < 500) edge(previous, (previous = step(`tail${steps.length}`, 'create_task', { title: 'Tail' })));
  return { steps, edges, variables: [{ name: 'customer_email', type: 'string', required: true }], triggers: [], tags: [] };
}

function main(): void {
  const definition = bigDefinition();
  const issues = validateDefinition(definition);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`the benchmark graph should be valid: ${JSON.stringify(errors.slice(0, 3))}`);
  for (let i = 0; i < 5; i++) validateDefinition(definition);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const start = process.hrtime.bigint();
    validateDefinition(definition);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const p95 = times[Math.floor(times.length * 0.95)];
  console.log(`validate ${definition.steps.length} steps, ${definition.edges.length} edges: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  console.log(`validate target (< 50 ms): ${median < 50 ? 'MET' : 'NOT MET'}`);
}

main();
