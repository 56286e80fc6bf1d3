import type { NotificationLevel, PostNotification, WorkspaceRole } from '@contracts';
import { NOTIFICATION_LEVELS, WORKSPACE_ROLES, isUuid, roleRank } from '@contracts';
import { uuidV5 } from '../../adapters/crypto/deterministic-uuid';
import { mailerFor } from '../../adapters/mail/mailer';
import { DomainError } from '../../domain/decider';
import { recipientNotificationId } from '../../../projections/notification/posted-notification-id';
import type { StepContext, StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/** Namespaces of the ids derived from a step's idempotency key (the same on every attempt and redelivery). */
const NOTIFICATION_NAMESPACE = '5d0b7a53-3f0e-4d6c-9a51-2c7f4e8b1a90';
const COMMAND_NAMESPACE = 'e3a1c9f2-6b4d-4f8e-8c2a-7d5b9e0f1a36';

/**
 * send_notification: posts a notification to members of the workspace, named or by role (a role
 * means everyone with it or a higher one, resolved from the membership read model when the step
 * runs), as a `PostNotification` command on the workspace stream; the notification projector
 * gives each recipient a row, which the API lists and streams (GET /api/notifications/stream).
 * Ids derive from the idempotency key, so a redelivered step posts nothing twice. With the
 * `email` channel each recipient also gets it by e-mail (once per recipient, through the outbox).
 */
export const sendNotificationExecutor: StepExecutor<'send_notification'> = {
  type: 'send_notification',
  async execute(ctx) {
    const recipients = await recipientsOf(ctx);
    const channels = (Array.isArray(ctx.config.channels) ? ctx.config.channels : ['in_app']) as string[];
    const title = asText(ctx.config.title).replace(/[\r\n]+/g, ' ').trim();
    const message = asText(ctx.config.message);
    const level = (NOTIFICATION_LEVELS as readonly string[]).includes(ctx.config.severity as string) ? (ctx.config.severity as NotificationLevel) : 'info';
    const url = asText(ctx.config.link).trim();
    if (recipients.length === 0) return { output: { notificationIds: [], recipientCount: 0 } };

    const notificationId = uuidV5(NOTIFICATION_NAMESPACE, ctx.idempotencyKey);
    let notificationIds: string[] = [];
    if (channels.includes('in_app')) {
      const data: PostNotification['data'] = {
        notificationId,
        workspaceId: ctx.workspaceId,
        recipientUserIds: recipients,
        title,
        message,
        level,
        link: { executionId: ctx.executionId, workflowId: ctx.workflowId, ...(url ? { url } : {}) },
      };
      try {
        await ctx.services.send(
          'workspace',
          { type: 'PostNotification', data },
          { commandId: uuidV5(COMMAND_NAMESPACE, ctx.idempotencyKey), workspaceId: ctx.workspaceId, actorId: ctx.startedBy },
        );
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const kind = error.code === 'recipient-not-member' ? 'UserNotFound' : 'InvalidConfig';
        throw new StepFailure(kind, `The notification was refused: ${error.message}`, { retryable: false, details: error.details });
      }
      notificationIds = recipients.map((userId) => recipientNotificationId(notificationId, userId));
    }
    if (channels.includes('email')) await emailEach(ctx, recipients, { title, message, url });
    return { output: { notificationIds, recipientCount: recipients.length } };
  },
};

/** User ids: the ones named (an expression may yield one id or a list), or the members holding the role or a higher one. */
async function recipientsOf(ctx: StepContext): Promise<string[]> {
  const given = (ctx.config.recipients ?? {}) as { userIds?: unknown[]; role?: WorkspaceRole };
  if (given.role !== undefined) {
    if (!WORKSPACE_ROLES.includes(given.role)) throw new StepFailure('InvalidConfig', `Unknown role ${String(given.role)}`, { retryable: false });
    const rank = roleRank(given.role);
    const members = await ctx.services.db
      .selectFrom('workspace_member')
      .select(['user_id', 'role'])
      .where('workspace_id', '=', ctx.workspaceId)
      .orderBy('user_id')
      .execute();
    return members.filter((m) => roleRank(m.role) >= rank).map((m) => m.user_id);
  }
  const ids = (given.userIds ?? []).flat(2).map((id) => (typeof id === 'string' ? id.trim() : id));
  const invalid = ids.filter((id) => typeof id !== 'string' || !isUuid(id));
  if (invalid.length > 0) throw new StepFailure('UserNotFound', `Not user ids: ${invalid.slice(0, 5).map((v) => JSON.stringify(v)).join(', ')}`, { retryable: false });
  return [...new Set((ids as string[]).map((id) => id.toLowerCase()))];
}

async function emailEach(ctx: StepContext, userIds: string[], content: { title: string; message: string; url: string }): Promise<void> {
  const { db, config } = ctx.services;
  const users = await db.selectFrom('user_account').select(['user_id', 'email', 'disabled']).where('user_id', 'in', userIds).execute();
  const mailer = mailerFor(db, config.smtpUrl);
  for (const user of users.filter((u) => !u.disabled)) {
    await mailer.send(
      {
        key: `${ctx.idempotencyKey}:email:${user.user_id}`,
        workspaceId: ctx.workspaceId,
        executionId: ctx.executionId,
        stepId: ctx.stepId,
        from: config.mailFrom,
        to: [user.email],
        subject: content.title,
        text: `${content.message}\n${content.url ? `\n${content.url}\n` : ''}`,
      },
      ctx.services.now(),
    );
  }
}

const asText = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
