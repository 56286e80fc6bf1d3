/**
 * Queues no projector binds any more, deleted when projections start (their projectors catch up
 * from the store, so nothing in them is needed): left alone, they would fill up unread.
 */
export const RETIRED_PROJECTION_QUEUES: readonly string[] = ['projection.approval', 'projection.execution_timer'];
