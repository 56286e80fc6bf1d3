import { createHash, randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { MessageMetadata } from '@contracts';
import { userEmailStream } from '@contracts';
import { WrongExpectedVersion } from '../adapters/event-store/event-store.port';
import { Commands } from '../commands/dispatch';
import { SCHEMA_VERSION } from '../commands/handle-command';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { problem } from '../api/problem';
import { hashPassword } from './passwords';

export const ACCOUNT_PROJECTIONS = ['user_account'] as const;
export const MEMBERSHIP_PROJECTIONS = ['workspace_membership'] as const;

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  invitedBy?: string;
  mustChangePassword: boolean;
}

/** Registers users with unique e-mails: one reservation stream per address decides who gets it. */
@Injectable()
export class AccountsService {
  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    private readonly commands: Commands,
  ) {}

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    const row = await this.infra.database.db
      .selectFrom('user_account')
      .select('user_id')
      .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row?.user_id;
  }

  /** Creates the user and waits until they can sign in. 409 when the e-mail is taken. */
  async register(user: NewUser, metadata: MessageMetadata & { commandId: string }, userId: string = randomUUID()): Promise<string> {
    const email = user.email.trim().toLowerCase();
    await this.reserveEmail(email, userId, metadata);
    await this.commands.sendAndProject(
      'user',
      {
        type: 'RegisterUser',
        data: {
          userId,
          email,
          displayName: user.displayName.trim(),
          passwordHash: await hashPassword(user.password),
          invitedBy: user.invitedBy,
          mustChangePassword: user.mustChangePassword,
        },
        metadata,
      },
      ACCOUNT_PROJECTIONS,
    );
    return userId;
  }

  private async reserveEmail(email: string, userId: string, metadata: MessageMetadata & { commandId: string }): Promise<void> {
    const stream = userEmailStream(createHash('sha256').update(email).digest('hex'));
    const { commandId, ...rest } = metadata;
    try {
      await this.infra.store.appendToStream(
        stream,
        [{ type: 'EmailReserved', data: { email, userId }, metadata: { ...rest, causationId: commandId, eventId: randomUUID(), schemaVersion: SCHEMA_VERSION } }],
        { expectedRevision: 'no_stream' },
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      const [reservation] = await this.infra.store.readStream(stream, { limit: 1 });
      if ((reservation?.data as { userId?: string } | undefined)?.userId === userId) return; // our own retry
      throw new HttpException(problem(409, 'email-taken', 'E-mail taken', 'A user with that e-mail already exists'), 409);
    }
  }
}
