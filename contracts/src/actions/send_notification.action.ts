import { defineAction } from './define-action';
import { people, template } from './schema-parts';

export const sendNotificationAction = defineAction({
  type: 'send_notification',
  title: 'Send notification',
  group: 'Communication',
  icon: 'notifications',
  description: 'Notifies users of the workspace in the app (and by e-mail if asked), by name or by role.',
  configSchema: {
    type: 'object',
    properties: {
      recipients: people('Who is notified: userIds, or a role'),
      title: template(200, 'Headline'),
      message: template(2000, 'Text of the notification'),
      link: { type: 'string', maxLength: 2000, 'x-expression': true, description: 'Where the notification leads (a URL or an app path)' },
      severity: { type: 'string', enum: ['info', 'success', 'warning', 'error'], default: 'info' },
      channels: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', enum: ['in_app', 'email'] },
        default: ['in_app'],
      },
    },
    required: ['recipients', 'title', 'message'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: {
      notificationIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
      recipientCount: { type: 'integer', minimum: 0 },
    },
    required: ['notificationIds', 'recipientCount'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'UserNotFound'] }, timeoutMs: 30_000 },
});
