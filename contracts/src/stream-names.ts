/**
 * The only place that builds stream names. A category never contains a dash, because
 * EventStoreDB takes the category from the text before the first dash.
 */
export const StreamCategory = {
  workflow: 'workflow',
  execution: 'execution',
  user: 'user',
  workspace: 'workspace',
  userEmail: 'useremail',
  task: 'task',
  /** Custom events posted to POST /api/events (SPEC C4): they exist to start event triggers. */
  customEvent: 'customevent',
} as const;
export type StreamCategory = (typeof StreamCategory)[keyof typeof StreamCategory];

export const workflowStream = (workflowId: string): string => `${StreamCategory.workflow}-${workflowId}`;
export const executionStream = (executionId: string): string => `${StreamCategory.execution}-${executionId}`;
export const userStream = (userId: string): string => `${StreamCategory.user}-${userId}`;
/** `emailKey` is the SHA-256 hex of the lower-cased address (the stream name never shows the address). */
export const userEmailStream = (emailKey: string): string => `${StreamCategory.userEmail}-${emailKey}`;
export const workspaceStream = (workspaceId: string): string => `${StreamCategory.workspace}-${workspaceId}`;
export const taskStream = (taskId: string): string => `${StreamCategory.task}-${taskId}`;
export const customEventStream = (eventId: string): string => `${StreamCategory.customEvent}-${eventId}`;

export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export function idOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? '' : streamId.slice(dash + 1);
}

/** Routing key on the `bluebird.events` topic exchange: `<category>.<EventType>`. */
export const routingKeyOf = (streamId: string, eventType: string): string => `${categoryOf(streamId)}.${eventType}`;
