import { specFor } from '../testing/given-when-then';
import { userDecider, type UserDecidedEvent } from './user.decider';

const userId = 'u-1';
const metadata = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: { kind: 'system' as const, id: 'system' }, workspaceId: '', occurredAt: '2026-11-28T10:00:00.000Z' };

const given = specFor(userDecider, metadata);

const registered: UserDecidedEvent = {
  type: 'UserRegistered',
  data: { userId, email: 'a@b.c', displayName: 'A', passwordHash: 'scrypt$x', mustChangePassword: true },
};

describe('user decider', () => {
  it('registers once', () => {
    const { type, data } = registered;
    given().when({ type: 'RegisterUser', data }).then([{ type, data }]);
    given(registered).when({ type: 'RegisterUser', data: registered.data }).thenFails('user-exists', 'conflict');
  });

  it('changes or resets a password of an existing user only', () => {
    given(registered)
      .when({ type: 'ChangePassword', data: { userId, passwordHash: 'scrypt$y', reset: true } })
      .then([{ type: 'UserPasswordChanged', data: { userId, passwordHash: 'scrypt$y', reset: true } }]);
    given().when({ type: 'ChangePassword', data: { userId, passwordHash: 'scrypt$y', reset: false } }).thenFails('user-not-found', 'not_found');
  });

  it('disables and enables, each only when it changes something', () => {
    given(registered).when({ type: 'DisableUser', data: { userId } }).then([{ type: 'UserDisabled', data: { userId } }]);
    given(registered, { type: 'UserDisabled', data: { userId } }).when({ type: 'DisableUser', data: { userId } }).then([]);
    given(registered).when({ type: 'EnableUser', data: { userId } }).then([]);
    given(registered, { type: 'UserDisabled', data: { userId } }).when({ type: 'EnableUser', data: { userId } }).then([{ type: 'UserEnabled', data: { userId } }]);
  });

  it('marks a notification read once', () => {
    const read: UserDecidedEvent = { type: 'NotificationRead', data: { userId, notificationId: 'n1' } };
    given(registered).when({ type: 'MarkNotificationRead', data: { userId, notificationId: 'n1' } }).then([read]);
    given(registered, read).when({ type: 'MarkNotificationRead', data: { userId, notificationId: 'n1' } }).then([]);
  });
});
