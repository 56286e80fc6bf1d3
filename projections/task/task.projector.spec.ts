import type { RecordedEvent } from '@contracts';
import { USER, WORKSPACE, recorded } from '../testing/recorded-event';
import { evolveTaskRow, type TaskRow } from './task.projector';

const TASK = '66666666-6666-4666-8666-666666666666';
const EXECUTION = '77777777-7777-4777-8777-777777777777';

function at(revision: bigint, type: string, data: unknown, occurredAt: string): RecordedEvent {
  const event = recorded(`task-${TASK}`, type, data);
  return { ...event, revision, metadata: { ...event.metadata, occurredAt } };
}

const created = at(
  0n,
  'TaskCreated',
  {
    taskId: TASK,
    workspaceId: WORKSPACE,
    title: 'Call',
    description: null,
    status: 'open',
    priority: 'medium',
    assigneeId: null,
    dueAt: null,
    labels: ['sales'],
    createdBy: USER,
    source: { executionId: EXECUTION, stepId: 'make_task' },
  },
  '2030-01-01T00:00:00.000Z',
);
const updated = at(
  1n,
  'TaskUpdated',
  { taskId: TASK, changes: { status: 'done', assigneeId: USER, labels: [] }, previous: { status: 'open', assigneeId: null, labels: ['sales'] }, status: 'done' },
  '2030-01-02T00:00:00.000Z',
);
const commented = at(2n, 'TaskCommented', { taskId: TASK, comment: 'Thanks' }, '2030-01-03T00:00:00.000Z');

const fold = (...events: RecordedEvent[]) => events.reduce<TaskRow | undefined>(evolveTaskRow, undefined);

describe('task read model', () => {
  it('makes a row from the creation, with the step that made it', () =>
    expect(fold(created)).toEqual({
      task_id: TASK,
      workspace_id: WORKSPACE,
      title: 'Call',
      description: null,
      status: 'open',
      priority: 'medium',
      assignee_id: null,
      due_at: null,
      tags: ['sales'],
      created_by: USER,
      source_execution_id: EXECUTION,
      source_step_id: 'make_task',
      created_at: '2030-01-01T00:00:00.000Z',
      updated_at: '2030-01-01T00:00:00.000Z',
      revision: '0',
    }));

  it('applies the changed fields to their columns; a comment moves only the revision and the time', () => {
    expect(fold(created, updated)).toMatchObject({ status: 'done', assignee_id: USER, tags: [], title: 'Call', revision: '1', updated_at: '2030-01-02T00:00:00.000Z' });
    expect(fold(created, updated, commented)).toMatchObject({ status: 'done', revision: '2', updated_at: '2030-01-03T00:00:00.000Z', created_at: '2030-01-01T00:00:00.000Z' });
  });

  it('changes nothing on a replayed event, and ignores events of a task it never saw created', () => {
    const row = fold(created, updated);
    expect(evolveTaskRow(row, updated)).toBe(row);
    expect(evolveTaskRow(row, created)).toBe(row);
    expect(fold(updated)).toBeUndefined();
  });
});
