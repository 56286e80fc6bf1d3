import type { ColumnType } from 'kysely';

/** Login credentials and profile of every user (the only read model holding password hashes). */
export interface UserAccountTable {
  user_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  must_change_password: boolean;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  invited_by: string | null;
  /** Tokens issued before this instant are refused (migration 0005). */
  password_changed_at: ColumnType<Date | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
}
