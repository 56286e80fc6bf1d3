import { specFor } from '../testing/given-when-then';
import { taskDecider, type TaskDecidedEvent } from './task.decider';

const workspaceId = 'a1b2c3d4-0000-4000-8000-000000000001';
const otherWorkspace = 'a1b2c3d4-0000-4000-8000-000000000002';
const taskId = 'b1b2c3d4-0000-4000-8000-000000000001';
const ann = 'c1b2c3d4-0000-4000-8000-000000000001';
const bob = 'c1b2c3d4-0000-4000-8000-000000000002';
const actor = { kind: 'user' as const, id: ann };
const metadata = { commandId: 'c', correlationId: 'c', causationId: 'c', actor, workspaceId, occurredAt: '2026-11-28T10:00:00.000Z' };

const given = specFor(taskDecider, metadata);
const givenElsewhere = specFor(taskDecider, { ...metadata, workspaceId: otherWorkspace });

const created: TaskDecidedEvent = {
  type: 'TaskCreated',
  data: {
    taskId,
    workspaceId,
    title: 'Call the customer',
    description: null,
    status: 'open',
    priority: 'medium',
    assigneeId: null,
    dueAt: null,
    labels: [],
    createdBy: ann,
  },
};
const labelled: TaskDecidedEvent = {
  type: 'TaskUpdated',
  data: { taskId, changes: { labels: ['sales', 'vip'] }, previous: { labels: [] }, status: 'open' },
};

describe('task decider', () => {
  it('creates a task with defaults for what is not given, in the command workspace, by its actor', () =>
    given().when({ type: 'CreateTask', data: { taskId, title: '  Call the customer ' } }).then([created]));

  it('creates a task with every field, normalising the due date to an instant and the labels to a set', () =>
    given()
      .when({
        type: 'CreateTask',
        data: {
          taskId,
          title: 'Review contract',
          description: 'Clause 4',
          status: 'in_progress',
          priority: 'urgent',
          assigneeId: bob.toUpperCase(),
          dueAt: '2027-01-31',
          labels: ['legal', ' legal ', 'q1'],
          source: { executionId: 'd1b2c3d4-0000-4000-8000-000000000001', stepId: 'review' },
        },
      })
      .then([
        {
          type: 'TaskCreated',
          data: {
            taskId,
            workspaceId,
            title: 'Review contract',
            description: 'Clause 4',
            status: 'in_progress',
            priority: 'urgent',
            assigneeId: bob,
            dueAt: '2027-01-31T00:00:00.000Z',
            labels: ['legal', 'q1'],
            createdBy: ann,
            source: { executionId: 'd1b2c3d4-0000-4000-8000-000000000001', stepId: 'review' },
          },
        },
      ]));

  it('refuses a second creation of the same task', () =>
    given(created).when({ type: 'CreateTask', data: { taskId, title: 'Again' } }).thenFails('task-exists', 'conflict'));

  it('requires a title of at most 200 characters on one line', () => {
    given().when({ type: 'CreateTask', data: { taskId, title: '   ' } }).thenFails('task-title-required', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'x'.repeat(201) } }).thenFails('task-title-too-long', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'two\nlines' } }).thenFails('task-title-multiline', 'rule_violated');
    given(created).when({ type: 'UpdateTask', data: { taskId, changes: { title: '' } } }).thenFails('task-title-required', 'rule_violated');
  });

  it('takes statuses and priorities of the action catalogue only', () => {
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', status: 'closed' as never } }).thenFails('invalid-status', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', priority: 'critical' as never } }).thenFails('invalid-priority', 'rule_violated');
    given(created).when({ type: 'UpdateTask', data: { taskId, changes: { status: 'finished' as never } } }).thenFails('invalid-status', 'rule_violated');
  });

  it('assigns only to a user id, and refuses due dates the calendar does not have', () => {
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', assigneeId: 'bob' } }).thenFails('invalid-assignee', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', dueAt: '2027-02-30' } }).thenFails('invalid-due-at', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', dueAt: 'next friday' } }).thenFails('invalid-due-at', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId, title: 'T', labels: Array.from({ length: 21 }, (_, i) => `l${i}`) } }).thenFails('too-many-labels', 'rule_violated');
  });

  it('needs a workspace and a UUID task id', () => {
    specFor(taskDecider, { ...metadata, workspaceId: '' })()
      .when({ type: 'CreateTask', data: { taskId, title: 'T' } })
      .thenFails('workspace-required', 'rule_violated');
    given().when({ type: 'CreateTask', data: { taskId: 'task-1', title: 'T' } }).thenFails('invalid-task-id', 'rule_violated');
  });

  it('records only the fields that change, with their previous values and the status after', () =>
    given(created)
      .when({
        type: 'UpdateTask',
        data: { taskId, changes: { title: 'Call the customer', status: 'done', assigneeId: bob, dueAt: '2027-03-01T09:00:00+01:00' }, comment: ' Called. ' },
      })
      .then([
        {
          type: 'TaskUpdated',
          data: {
            taskId,
            changes: { status: 'done', assigneeId: bob, dueAt: '2027-03-01T08:00:00.000Z' },
            previous: { status: 'open', assigneeId: null, dueAt: null },
            status: 'done',
            comment: 'Called.',
          },
        },
      ]));

  it('clears with null, and edits labels as a set', () => {
    const assigned: TaskDecidedEvent = { type: 'TaskUpdated', data: { taskId, changes: { assigneeId: bob }, previous: { assigneeId: null }, status: 'open' } };
    given(created, assigned)
      .when({ type: 'UpdateTask', data: { taskId, changes: { assigneeId: null } } })
      .then([{ type: 'TaskUpdated', data: { taskId, changes: { assigneeId: null }, previous: { assigneeId: bob }, status: 'open' } }]);
    given(created, labelled)
      .when({ type: 'UpdateTask', data: { taskId, changes: { addLabels: ['urgent', 'vip'], removeLabels: ['sales'] } } })
      .then([{ type: 'TaskUpdated', data: { taskId, changes: { labels: ['vip', 'urgent'] }, previous: { labels: ['sales', 'vip'] }, status: 'open' } }]);
  });

  it('decides nothing for an update that changes nothing, unless it carries a comment', () => {
    given(created, labelled)
      .when({ type: 'UpdateTask', data: { taskId, changes: { title: 'Call the customer', status: 'open', labels: ['vip', 'sales'], description: '' } } })
      .then([]);
    given(created)
      .when({ type: 'UpdateTask', data: { taskId, changes: { status: 'open' }, comment: 'Still waiting' } })
      .then([{ type: 'TaskCommented', data: { taskId, comment: 'Still waiting' } }]);
  });

  it('knows no task that does not exist, nor one of another workspace', () => {
    given().when({ type: 'UpdateTask', data: { taskId, changes: { status: 'done' } } }).thenFails('task-not-found', 'not_found');
    givenElsewhere(created).when({ type: 'UpdateTask', data: { taskId, changes: { status: 'done' } } }).thenFails('task-not-found', 'not_found');
  });
});
