import type { TaskCommand, TaskEvent, TaskFields, TaskPriority, TaskStatus, UpdateTask } from '@contracts';
import {
  TASK_COMMENT_MAX,
  TASK_DESCRIPTION_MAX,
  TASK_LABEL_MAX,
  TASK_LABELS_MAX,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_TITLE_MAX,
  isUuid,
} from '@contracts';
import { DomainError, assertNever, type DecidedOf, type Decider } from '../decider';

export type TaskDecidedEvent = DecidedOf<TaskEvent>;

export interface TaskState {
  exists: boolean;
  workspaceId: string;
  fields: TaskFields;
}

export const initialTaskState = (): TaskState => ({
  exists: false,
  workspaceId: '',
  fields: { title: '', description: null, status: 'open', priority: 'medium', assigneeId: null, dueAt: null, labels: [] },
});

export function evolveTask(state: TaskState, event: TaskDecidedEvent): TaskState {
  switch (event.type) {
    case 'TaskCreated': {
      const { title, description, status, priority, assigneeId, dueAt, labels } = event.data;
      return { exists: true, workspaceId: event.data.workspaceId, fields: { title, description, status, priority, assigneeId, dueAt, labels } };
    }
    case 'TaskUpdated':
      return { ...state, fields: { ...state.fields, ...event.data.changes } };
    default:
      return state;
  }
}

export function decideTask(command: TaskCommand, state: TaskState): TaskDecidedEvent[] {
  const { taskId } = command.data;
  switch (command.type) {
    case 'CreateTask': {
      if (state.exists) throw new DomainError('conflict', 'task-exists', `Task ${taskId} already exists`);
      if (!isUuid(taskId)) throw new DomainError('rule_violated', 'invalid-task-id', 'A task id is a UUID');
      const workspaceId = command.metadata.workspaceId;
      if (!isUuid(workspaceId)) throw new DomainError('rule_violated', 'workspace-required', 'A task belongs to a workspace');
      const { data } = command;
      const source = data.source;
      if (source && (!isUuid(source.executionId) || typeof source.stepId !== 'string' || !source.stepId || source.stepId.length > 100)) {
        throw new DomainError('rule_violated', 'invalid-source', 'A task source names an execution (UUID) and a step id');
      }
      return [
        {
          type: 'TaskCreated',
          data: {
            taskId,
            workspaceId,
            title: validTitle(data.title),
            description: validDescription(data.description),
            status: validStatus(data.status ?? 'open'),
            priority: validPriority(data.priority ?? 'medium'),
            assigneeId: validAssignee(data.assigneeId),
            dueAt: validDueAt(data.dueAt),
            labels: validLabels(data.labels ?? []),
            createdBy: command.metadata.actor.id,
            ...(source ? { source: { executionId: source.executionId, stepId: source.stepId } } : {}),
          },
        },
      ];
    }
    case 'UpdateTask': {
      // A task of another workspace is, to this workspace, a task that does not exist.
      if (!state.exists || state.workspaceId !== command.metadata.workspaceId) {
        throw new DomainError('not_found', 'task-not-found', `No task ${taskId}`);
      }
      const next = updatedFields(command.data.changes, state.fields);
      const comment = validComment(command.data.comment);
      const changes: Partial<TaskFields> = {};
      const previous: Partial<TaskFields> = {};
      for (const field of Object.keys(next) as (keyof TaskFields)[]) {
        if (sameValue(next[field], state.fields[field])) continue;
        Object.assign(changes, { [field]: next[field] });
        Object.assign(previous, { [field]: state.fields[field] });
      }
      if (Object.keys(changes).length === 0) return comment ? [{ type: 'TaskCommented', data: { taskId, comment } }] : [];
      return [{ type: 'TaskUpdated', data: { taskId, changes, previous, status: changes.status ?? state.fields.status, ...(comment ? { comment } : {}) } }];
    }
    default:
      return assertNever(command);
  }
}

export const taskDecider: Decider<TaskCommand, TaskDecidedEvent, TaskState> = {
  initialState: initialTaskState,
  evolve: evolveTask,
  decide: decideTask,
};

/** The fields an update names, validated and normalised (labels: replaced, then added to, then removed from). */
function updatedFields(changes: UpdateTask['data']['changes'], current: TaskFields): Partial<TaskFields> {
  const next: Partial<TaskFields> = {};
  if (changes.title !== undefined) next.title = validTitle(changes.title);
  if (changes.description !== undefined) next.description = validDescription(changes.description);
  if (changes.status !== undefined) next.status = validStatus(changes.status);
  if (changes.priority !== undefined) next.priority = validPriority(changes.priority);
  if (changes.assigneeId !== undefined) next.assigneeId = validAssignee(changes.assigneeId);
  if (changes.dueAt !== undefined) next.dueAt = validDueAt(changes.dueAt);
  if (changes.labels !== undefined || changes.addLabels !== undefined || changes.removeLabels !== undefined) {
    const base = changes.labels !== undefined ? cleanLabels(changes.labels) : current.labels;
    const added = cleanLabels(changes.addLabels ?? []);
    const removed = new Set(cleanLabels(changes.removeLabels ?? []));
    next.labels = validLabels([...base, ...added].filter((label) => !removed.has(label)));
  }
  return next;
}

/** Labels are a set: the same labels in another order are no change. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x) => b.includes(x));
  return a === b;
}

function validTitle(raw: unknown): string {
  const title = typeof raw === 'string' ? raw.trim() : '';
  if (!title) throw new DomainError('rule_violated', 'task-title-required', 'A task needs a title');
  if (title.length > TASK_TITLE_MAX) throw new DomainError('rule_violated', 'task-title-too-long', `A task title has at most ${TASK_TITLE_MAX} characters`);
  if (/[\r\n]/.test(title)) throw new DomainError('rule_violated', 'task-title-multiline', 'A task title is a single line');
  return title;
}

/** Blank is no description. */
function validDescription(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') throw new DomainError('rule_violated', 'invalid-description', 'A description is text');
  if (raw.length > TASK_DESCRIPTION_MAX) {
    throw new DomainError('rule_violated', 'task-description-too-long', `A task description has at most ${TASK_DESCRIPTION_MAX} characters`);
  }
  return raw.trim() ? raw : null;
}

function validStatus(raw: unknown): TaskStatus {
  if (!(TASK_STATUSES as readonly unknown[]).includes(raw)) {
    throw new DomainError('rule_violated', 'invalid-status', `A task status is one of ${TASK_STATUSES.join(', ')}`);
  }
  return raw as TaskStatus;
}

function validPriority(raw: unknown): TaskPriority {
  if (!(TASK_PRIORITIES as readonly unknown[]).includes(raw)) {
    throw new DomainError('rule_violated', 'invalid-priority', `A task priority is one of ${TASK_PRIORITIES.join(', ')}`);
  }
  return raw as TaskPriority;
}

function validAssignee(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (!isUuid(raw)) throw new DomainError('rule_violated', 'invalid-assignee', 'An assignee is a user id (UUID)');
  return raw.toLowerCase();
}

const DUE_AT = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO 8601 date (midnight UTC) or date-time with a zone, as the instant it names. */
export function validDueAt(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  const match = typeof raw === 'string' ? DUE_AT.exec(raw) : null;
  const invalid = () => new DomainError('rule_violated', 'invalid-due-at', 'A due date is an ISO 8601 date (2025-01-31) or a date-time with a zone');
  if (!match) throw invalid();
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  // Date.parse rolls 2025-02-30 over to March: a day the calendar does not have is refused instead.
  if (year < 1000 || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) throw invalid();
  const instant = Date.parse(raw as string);
  if (Number.isNaN(instant)) throw invalid();
  return new Date(instant).toISOString();
}

function cleanLabels(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw new DomainError('rule_violated', 'invalid-labels', 'Labels are a list of text');
  return raw.map((label) => {
    const text = typeof label === 'string' ? label.trim() : '';
    if (!text || text.length > TASK_LABEL_MAX || /[\r\n]/.test(text)) {
      throw new DomainError('rule_violated', 'invalid-label', `A label is one line of 1 to ${TASK_LABEL_MAX} characters`);
    }
    return text;
  });
}

function validLabels(raw: unknown): string[] {
  const labels = [...new Set(cleanLabels(raw))];
  if (labels.length > TASK_LABELS_MAX) throw new DomainError('rule_violated', 'too-many-labels', `A task has at most ${TASK_LABELS_MAX} labels`);
  return labels;
}

function validComment(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw new DomainError('rule_violated', 'invalid-comment', 'A comment is text');
  if (raw.length > TASK_COMMENT_MAX) throw new DomainError('rule_violated', 'comment-too-long', `A comment has at most ${TASK_COMMENT_MAX} characters`);
  return raw.trim() ? raw.trim() : undefined;
}
