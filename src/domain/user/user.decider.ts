import type { UserCommand, UserEvent } from '@contracts';
import { DomainError, assertNever, type DecidedOf, type Decider } from '../decider';

export type UserDecidedEvent = DecidedOf<UserEvent>;

export interface UserState {
  exists: boolean;
  disabled: boolean;
  readNotifications: ReadonlySet<string>;
}

export const initialUserState = (): UserState => ({ exists: false, disabled: false, readNotifications: new Set() });

export function evolveUser(state: UserState, event: UserDecidedEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return { ...state, exists: true };
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'UserEnabled':
      return { ...state, disabled: false };
    case 'NotificationRead':
      return { ...state, readNotifications: new Set([...state.readNotifications, event.data.notificationId]) };
    default:
      return state;
  }
}

export function decideUser(command: UserCommand, state: UserState): UserDecidedEvent[] {
  const { userId } = command.data;
  if (command.type !== 'RegisterUser' && !state.exists) throw new DomainError('not_found', 'user-not-found', `No user ${userId}`);
  switch (command.type) {
    case 'RegisterUser':
      if (state.exists) throw new DomainError('conflict', 'user-exists', `User ${userId} already exists`);
      return [{ type: 'UserRegistered', data: { ...command.data } }];
    case 'ChangePassword':
      return [{ type: 'UserPasswordChanged', data: { userId, passwordHash: command.data.passwordHash, reset: command.data.reset } }];
    case 'DisableUser':
      return state.disabled ? [] : [{ type: 'UserDisabled', data: { userId } }];
    case 'EnableUser':
      return state.disabled ? [{ type: 'UserEnabled', data: { userId } }] : [];
    case 'MarkNotificationRead':
      return state.readNotifications.has(command.data.notificationId)
        ? []
        : [{ type: 'NotificationRead', data: { userId, notificationId: command.data.notificationId } }];
    default:
      return assertNever(command);
  }
}

export const userDecider: Decider<UserCommand, UserDecidedEvent, UserState> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
