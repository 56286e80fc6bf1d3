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
  created_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
}
