import type { JoinMode, WorkflowDefinition } from '@contracts/workflow';

/**
 * A step's join mode (StepDefinition.join, src/domain/execution/walk.ts joinReadiness) as the step panel edits it:
 * shown only for steps with more than one incoming connection, and sent with the step's policy
 * (PUT .../steps/:id/policy). Tested in join-mode.spec.ts.
 */
export type JoinChoice = 'all' | 'any' | 'count';

/** How many connections lead into the step. */
export function incomingCount(d: Pick<WorkflowDefinition, 'edges'>, stepId: string): number {
  return d.edges.filter((e) => e.to === stepId).length;
}

export function joinChoice(join: JoinMode | undefined): JoinChoice {
  return join === undefined || join === 'all' ? 'all' : join === 'any' ? 'any' : 'count';
}

/**
 * The join a choice means. `all` is the default and is sent as absent (the server stores no join then);
 * N of M is a whole number from 1 to the number of inputs (N = 1 behaves like any, N = M like all but runs
 * as soon as N are taken).
 */
export function joinFrom(choice: JoinChoice, count: number | string | undefined, incoming: number): JoinMode | undefined {
  if (choice === 'all') return undefined;
  if (choice === 'any') return 'any';
  const n = Math.round(Number(count));
  const max = Math.max(1, incoming);
  if (!Number.isFinite(n) || n < 1) return Math.min(2, max);
  return Math.min(n, max);
}

/** One sentence on when the step runs. */
export function describeJoin(join: JoinMode | undefined, incoming: number): string {
  const choice = joinChoice(join);
  if (choice === 'all') return `Runs once all ${incoming} incoming paths are decided and at least one was taken; skipped when none is.`;
  if (choice === 'any') return 'Runs as soon as one incoming path is taken; skipped when none can be.';
  const n = Math.min(join as number, incoming);
  return `Runs as soon as ${n} of its ${incoming} incoming paths are taken; skipped once that can no longer happen.`;
}
