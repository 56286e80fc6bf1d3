import type { RecordedEvent } from '@contracts';

/** Fixed ids and a recorded-event builder for projector specs (times and positions fixed too). */
export const WORKSPACE = '11111111-1111-4111-8111-111111111111';
export const WORKFLOW = '22222222-2222-4222-8222-222222222222';
export const USER = '33333333-3333-4333-8333-333333333333';
export const TEAM = '44444444-4444-4444-8444-444444444444';

export function recorded(streamId: string, type: string, data: unknown, workspaceId = WORKSPACE): RecordedEvent {
  return {
    streamId,
    type,
    data,
    revision: 0n,
    position: { transactionId: 7n, globalPosition: 42n },
    recordedAt: '2030-01-01T00:00:01.000Z',
    metadata: {
      eventId: '55555555-5555-4555-8555-555555555555',
      correlationId: 'c',
      causationId: 'c',
      actor: { kind: 'user', id: USER, name: 'Ann' },
      workspaceId,
      occurredAt: '2030-01-01T00:00:00.000Z',
      schemaVersion: 1,
    },
  };
}
