import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { Commands } from '../commands/dispatch';
import { systemMetadata } from '../api/request-metadata';
import { AccountsService, MEMBERSHIP_PROJECTIONS } from './accounts.service';
import { temporaryPassword } from './passwords';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/**
 * On the first start, creates the owner (BLUEBIRD_ADMIN_EMAIL / BLUEBIRD_ADMIN_PASSWORD, or
 * admin@localhost with a random password printed once) and their default workspace. Replicas
 * starting together race on the e-mail reservation: exactly one creates the owner.
 */
@Injectable()
export class OwnerBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('FirstStart');

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    private readonly accounts: AccountsService,
    private readonly commands: Commands,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const anyone = await this.infra.database.db.selectFrom('user_account').select('user_id').limit(1).executeTakeFirst();
    if (anyone) return;
    const { adminEmail, adminPassword } = this.infra.config;
    const email = adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const password = adminPassword ?? temporaryPassword();
    let ownerId: string;
    try {
      ownerId = await this.accounts.register(
        { email, displayName: 'Owner', password, mustChangePassword: !adminPassword },
        systemMetadata(randomUUID()),
      );
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 409) return; // another replica, or an earlier start, did it
      throw error;
    }
    const workspaceId = randomUUID();
    await this.commands.sendAndProject(
      'workspace',
      { type: 'CreateWorkspace', data: { workspaceId, name: 'Default workspace', ownerId }, metadata: systemMetadata(randomUUID(), workspaceId) },
      MEMBERSHIP_PROJECTIONS,
    );
    if (!adminPassword) {
      // Printed once, on purpose, on the console: this is the only way to learn it.
      console.log(`First owner created: ${email} with password ${password} (shown once; change it after signing in)`);
    } else {
      this.logger.log(`First owner created: ${email}`);
    }
  }
}
