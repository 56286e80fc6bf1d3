import type { Transaction } from 'kysely';
import type { RecordedEvent, UserEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';

/** `user_account`: who can log in, with what password, and whether they are disabled. */
export const userAccountProjector: Projector = {
  name: 'user_account',
  categories: [StreamCategory.user],
  tables: ['user_account'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const event = recorded as RecordedEvent & UserEvent;
      const at = event.metadata.occurredAt;
      const row = () => trx.updateTable('user_account').where('user_id', '=', event.data.userId);
      switch (event.type) {
        case 'UserRegistered':
          await trx
            .insertInto('user_account')
            .values({
              user_id: event.data.userId,
              email: event.data.email,
              display_name: event.data.displayName,
              password_hash: event.data.passwordHash,
              must_change_password: event.data.mustChangePassword,
              invited_by: event.data.invitedBy ?? null,
              created_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('user_id').doNothing())
            .execute();
          break;
        case 'UserPasswordChanged':
          await row()
            .set({ password_hash: event.data.passwordHash, must_change_password: event.data.reset, password_changed_at: at, updated_at: at })
            .execute();
          break;
        case 'UserDisabled':
          await row().set({ disabled: true, updated_at: at }).execute();
          break;
        case 'UserEnabled':
          await row().set({ disabled: false, updated_at: at }).execute();
          break;
        default:
          break; // NotificationRead belongs to the notifications read model
      }
    }
  },
};
