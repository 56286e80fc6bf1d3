import type { RecordedEvent } from '@contracts';
import type { IncomingMessage, OutgoingMessage } from './broker.port';
import { decodeEventMessage, encodeEventMessage, settledSchedules } from './event-message';
import { topicMatches } from './topic-pattern';

const recorded: RecordedEvent = {
  type: 'WorkflowRenamed',
  data: { workflowId: '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10', name: 'Onboarding v2', previousName: 'Onboarding' },
  metadata: {
    eventId: '0b7d2f5e-3c1a-5e2b-9f00-1a2b3c4d5e6f',
    correlationId: 'corr-1',
    causationId: 'cmd-1',
    actor: { kind: 'user', id: 'u1', name: 'Ada' },
    workspaceId: 'ws1',
    occurredAt: '2026-11-28T10:00:00.000Z',
    schemaVersion: 1,
  },
  streamId: 'workflow-7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10',
  // Past 2^53: a Number would silently round these.
  revision: 9_007_199_254_740_993n,
  position: { transactionId: 18_446_744_073_709_551_615n, globalPosition: 9_007_199_254_740_995n },
  recordedAt: '2026-11-28T10:00:00.123Z',
};
const prev = { transactionId: 18_446_744_073_709_551_614n, globalPosition: 9_007_199_254_740_991n };

/** What a consumer receives for a published message. */
const delivered = (message: OutgoingMessage, redelivered = false): IncomingMessage => ({ ...message, redelivered });

describe('event messages on the broker', () => {
  it('given a recorded event, when encoded, then the message is routed by `<category>.<Type>` and carries position, prev and category headers', () => {
    const message = encodeEventMessage(recorded, prev);

    expect(message.routingKey).toBe('workflow.WorkflowRenamed');
    expect(message.messageId).toBe(recorded.metadata.eventId);
    expect(message.type).toBe('WorkflowRenamed');
    expect(message.headers).toMatchObject({
      position: '18446744073709551615.9007199254740995',
      prev: '18446744073709551614.9007199254740991',
      category: 'workflow',
      streamId: recorded.streamId,
      correlationId: 'corr-1',
    });
  });

  it('given an encoded event, when decoded, then the event and prev come back equal, bigints intact', () => {
    const decoded = decodeEventMessage(delivered(encodeEventMessage(recorded, prev), true));

    expect(decoded.event).toEqual(recorded);
    expect(decoded.prev).toEqual(prev);
    expect(typeof decoded.event.revision).toBe('bigint');
    expect(decoded.event.revision).toBe(9_007_199_254_740_993n);
    expect(decoded.event.position.transactionId).toBe(18_446_744_073_709_551_615n);
  });

  it('given the first event of a category (prev is the start of the log), when round-tripped, then prev is 0.0', () => {
    const first: RecordedEvent = { ...recorded, streamId: 'execution-e1', type: 'ExecutionStarted', revision: 0n };
    const message = encodeEventMessage(first, { transactionId: 0n, globalPosition: 0n });

    expect(message.routingKey).toBe('execution.ExecutionStarted');
    expect(message.headers.category).toBe('execution');
    expect(message.headers.prev).toBe('0.0');
    const decoded = decodeEventMessage(delivered(message));
    expect(decoded.event).toEqual(first);
    expect(decoded.prev).toEqual({ transactionId: 0n, globalPosition: 0n });
  });

  it('given a message without a prev header, when decoded, then it is rejected', () => {
    const encoded = encodeEventMessage(recorded, prev);
    const headers = { ...encoded.headers };
    delete headers.prev;
    const message = delivered({ ...encoded, headers });

    expect(() => decodeEventMessage(message)).toThrow(/malformed event message/);
  });

  it('given a message whose prev header is not a position, when decoded, then it is rejected', () => {
    const encoded = encodeEventMessage(recorded, prev);
    for (const bad of ['', '12', 'abc.def', '-1.5', '1.2.3', ' 1.2']) {
      const message = delivered({ ...encoded, headers: { ...encoded.headers, prev: bad } });
      expect(() => decodeEventMessage(message)).toThrow(`malformed event message ${recorded.metadata.eventId}`);
    }
  });

  describe('a StepScheduled settled in the same batch', () => {
    const run = 'execution-5d7e0a54-8d0e-4a51-b6a3-0c2f7d1e9a11';
    let n = 0;
    const at = (streamId: string, type: string, scheduledId: string): RecordedEvent => ({
      ...recorded,
      type,
      streamId,
      data: { executionId: streamId.slice('execution-'.length), stepId: 's', attempt: 1, scheduledId },
      revision: BigInt(n),
      position: { transactionId: 1n, globalPosition: BigInt(++n) },
    });

    it('given pure steps decided in one append, then only schedules whose outcome follows in the batch are settled', () => {
      const pure = at(run, 'StepScheduled', 'c1:calc:1');
      const failedPure = at(run, 'StepScheduled', 'c1:check:1');
      const http = at(run, 'StepScheduled', 'c1:call:1');
      const elsewhere = at('execution-0c9a3f1e-2b4d-4e6f-8a1b-3c5d7e9f0a12', 'StepScheduled', 'c1:calc:1');
      const batch = [
        pure, failedPure, http, elsewhere,
        at(run, 'StepStarted', 'c1:calc:1'), at(run, 'StepSucceeded', 'c1:calc:1'),
        at(run, 'StepStarted', 'c1:call:1'), // started is no outcome: the engine still has to run it
        at(run, 'StepFailed', 'c1:check:1'),
      ];
      expect(settledSchedules(batch)).toEqual(new Set([pure, failedPure]));
      // An outcome before its schedule (a batch boundary cannot do that, but be strict) settles nothing.
      expect(settledSchedules([at(run, 'StepSucceeded', 'c1:x:1'), at(run, 'StepScheduled', 'c1:x:1')]).size).toBe(0);
    });

    it('given a settled schedule, then the projections (execution.#) still get it and the steps queue (execution.StepScheduled) does not', () => {
      const settled = encodeEventMessage(at(run, 'StepScheduled', 'c1:calc:1'), prev, true);
      const open = encodeEventMessage(at(run, 'StepScheduled', 'c1:call:1'), prev);
      expect([topicMatches('execution.#', settled.routingKey), topicMatches('execution.StepScheduled', settled.routingKey)]).toEqual([true, false]);
      expect([topicMatches('execution.#', open.routingKey), topicMatches('execution.StepScheduled', open.routingKey)]).toEqual([true, true]);
      expect(settled.type).toBe('StepScheduled');
    });
  });
});
