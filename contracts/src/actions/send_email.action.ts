import { defineAction } from './define-action';
import { PATTERNS, jsonWithTemplates, template } from './schema-parts';

const ADDRESSES = 'One address, a comma-separated list, or an expression that yields an address or a list';

export const sendEmailAction = defineAction({
  type: 'send_email',
  title: 'Send e-mail',
  group: 'Communication',
  icon: 'mail',
  description:
    'Sends an e-mail from a named template (rendered with the execution variables) or from a subject and body. ' +
    'Goes through SMTP when configured, otherwise into the outbox the app shows.',
  configSchema: {
    type: 'object',
    properties: {
      to: template(2000, ADDRESSES),
      cc: template(2000, ADDRESSES),
      bcc: template(2000, ADDRESSES),
      replyTo: template(320, 'Reply-To address'),
      template: { type: 'string', pattern: PATTERNS.templateName, maxLength: 100, description: 'Name of an e-mail template, e.g. welcome_email' },
      templateData: {
        ...jsonWithTemplates('Extra values for the template, besides the execution variables'),
        type: 'object',
        maxProperties: 100,
      },
      subject: template(998, 'Subject line; with a template, overrides the template subject'),
      body: template(100_000, 'Message body'),
      format: { type: 'string', enum: ['text', 'html'], default: 'text', description: 'How the body is written' },
    },
    required: ['to'],
    additionalProperties: false,
    // Either a template, or a subject and a body of one's own.
    if: { required: ['template'] },
    then: { properties: { body: false, format: false } },
    else: { required: ['subject', 'body'] },
    dependentRequired: { templateData: ['template'] },
  },
  outputs: {
    type: 'object',
    properties: {
      messageId: { type: 'string' },
      accepted: { type: 'array', items: { type: 'string' }, description: 'Recipients the transport accepted' },
      rejected: { type: 'array', items: { type: 'string' } },
      transport: { type: 'string', enum: ['smtp', 'outbox'] },
    },
    required: ['messageId', 'accepted', 'rejected', 'transport'],
  },
  defaults: {
    retryPolicy: {
      maxAttempts: 5,
      initialIntervalMs: 5_000,
      maxIntervalMs: 300_000,
      nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'TemplateNotFound', 'InvalidRecipient'],
    },
    timeoutMs: 60_000,
  },
  aliases: ['SEND_EMAIL'],
});
