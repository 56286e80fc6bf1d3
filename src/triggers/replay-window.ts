import { uuidV5 } from '../adapters/crypto/deterministic-uuid';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS } from '../adapters/crypto/webhook-signature';

/**
 * Replay protection for webhook deliveries, kept stateless: the signature binds webhook-id and timestamp, the
 * timestamp check bounds how long a captured request stays usable, and the delivery id below (stored as the
 * execution's id or the fire event's id) makes the store reject a second execution for the same delivery.
 *
 * The key is (trigger, webhook-id) WITHOUT the timestamp on purpose: Standard Webhooks senders retry with the same
 * id and a fresh timestamp and signature, and a retry must be answered idempotently, not run again.
 */

// Frozen: stored ids were derived from this namespace and the name layout below.
const WEBHOOK_DELIVERY_NAMESPACE = '0a608f88-4d12-47d4-acc1-c45c4fb41dcb';

export function webhookDeliveryId(triggerId: string, webhookId: string): string {
  if (typeof triggerId !== 'string' || triggerId === '') throw new TypeError('webhookDeliveryId: triggerId is required');
  if (typeof webhookId !== 'string' || webhookId === '') throw new TypeError('webhookDeliveryId: webhookId is required');
  // The trigger id comes first and is ours (a UUID), so "a/b" + "c" and "a" + "b/c" cannot collide in practice;
  // the length prefix rules it out entirely.
  return uuidV5(WEBHOOK_DELIVERY_NAMESPACE, `${triggerId.length}:${triggerId}/${webhookId}`);
}

/**
 * How long a store that remembers delivery ids must keep them for replay protection alone: a timestamp may lie up
 * to `tolerance` in the future and is accepted until `tolerance` in the past, so a captured request is replayable
 * for 2 x tolerance after it is first seen. Keeping ids longer only adds idempotency for slow sender retries.
 */
export function replayRetentionSeconds(toleranceSeconds = DEFAULT_WEBHOOK_TOLERANCE_SECONDS): number {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new RangeError('toleranceSeconds must be a non-negative number');
  return 2 * toleranceSeconds;
}
