import { createHash } from 'node:crypto';

/**
 * Name-based UUIDs (RFC 9562 version 5: SHA-1 of namespace bytes + UTF-8 name).
 *
 * Why: triggers must fire exactly once per (schedule, tick) and once per (trigger, webhook-id) across any number
 * of replicas and restarts. Deriving the id from those facts lets the store's unique constraint (event id, stream
 * name) reject the second attempt, instead of a coordination protocol between workers.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function uuidV5(namespace: string, name: string): string {
  if (!isUuid(namespace)) throw new TypeError(`uuidV5: namespace must be a UUID, got ${JSON.stringify(namespace)}`);
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
