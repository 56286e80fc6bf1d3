import { uuidV5 } from '../../src/adapters/crypto/deterministic-uuid';

/**
 * The id of one recipient's copy of a posted notification: a name-based UUID of the posted
 * notification's id and the user's, so a rebuild gives the same ids and whoever posted it (the
 * send_notification step) knows them without reading the read model.
 */
export function recipientNotificationId(notificationId: string, userId: string): string {
  return uuidV5(notificationId, userId);
}
