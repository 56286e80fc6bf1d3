import { MailRejected, mailerFor, parseAddresses } from '../../adapters/mail/mailer';
import { EMAIL_TEMPLATES } from '../../adapters/mail/templates';
import type { StepContext, StepExecutor } from '../executor';
import { renderTemplate } from '../expressions';
import { StepFailure } from '../step-failure';

/**
 * send_email: one message per step (per idempotency key), from a named template rendered with the
 * execution's variables and `templateData`, or from the step's own subject and body. SMTP when
 * SMTP_URL is set, otherwise nodemailer's JSON transport; either way recorded in the outbox
 * (GET /api/outbox). A redelivered step does not send again: it answers the first send.
 */
export const sendEmailExecutor: StepExecutor<'send_email'> = {
  type: 'send_email',
  async execute(ctx) {
    const to = recipients(ctx.config.to, 'to');
    if (to.length === 0) throw new StepFailure('InvalidRecipient', 'No recipient in "to"', { retryable: false });
    const cc = recipients(ctx.config.cc, 'cc');
    const bcc = recipients(ctx.config.bcc, 'bcc');
    const replyTo = ctx.config.replyTo === undefined || ctx.config.replyTo === '' ? undefined : recipients(ctx.config.replyTo, 'replyTo')[0];
    const { subject, text, html } = await contentOf(ctx);

    const { config, db } = ctx.services;
    const mailer = mailerFor(db, config.smtpUrl);
    try {
      const sent = await abortable(
        mailer.send(
          { key: ctx.idempotencyKey, workspaceId: ctx.workspaceId, executionId: ctx.executionId, stepId: ctx.stepId, from: config.mailFrom, to, cc, bcc, replyTo, subject, text, html },
          ctx.services.now(),
        ),
        ctx.signal,
      );
      return { output: { messageId: sent.messageId, accepted: sent.accepted, rejected: sent.rejected, transport: sent.transport } };
    } catch (error) {
      if (error instanceof MailRejected) throw new StepFailure('MailRejected', `The mail server refused the message: ${error.message}`, { retryable: false, details: { responseCode: error.responseCode } });
      if (error instanceof StepFailure || ctx.signal.aborted) throw error;
      throw new StepFailure('MailUnavailable', `Cannot send the e-mail: ${(error as Error).message}`);
    }
  },
};

/** Addresses from a rendered field: "a@x.io, Ann <ann@y.io>", or a list an expression yielded. */
function recipients(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string')) throw new StepFailure('InvalidRecipient', `"${field}" must be addresses, got ${JSON.stringify(value).slice(0, 200)}`, { retryable: false });
  const { valid, invalid } = parseAddresses(list as string[]);
  if (invalid.length > 0) throw new StepFailure('InvalidRecipient', `Not an e-mail address in "${field}": ${invalid.slice(0, 5).join(', ')}`, { retryable: false });
  return valid;
}

async function contentOf(ctx: StepContext): Promise<{ subject: string; text?: string; html?: string }> {
  const name = ctx.config.template as string | undefined;
  if (name === undefined) {
    const body = asText(ctx.config.body);
    const subject = oneLine(asText(ctx.config.subject));
    return ctx.config.format === 'html' ? { subject, html: body } : { subject, text: body };
  }
  const template = Object.hasOwn(EMAIL_TEMPLATES, name) ? EMAIL_TEMPLATES[name] : undefined;
  if (!template) {
    throw new StepFailure('TemplateNotFound', `No e-mail template "${name}"; there are ${Object.keys(EMAIL_TEMPLATES).join(', ')}`, { retryable: false });
  }
  const data = (ctx.config.templateData ?? {}) as Record<string, unknown>;
  const scope = { ...ctx.scope, ...data, templateData: data };
  const renderedSubject = asText(await renderTemplate(template.subject, scope));
  // A step's own subject overrides the template's.
  const subject = oneLine(ctx.config.subject !== undefined ? asText(ctx.config.subject) : renderedSubject);
  const text = asText(await renderTemplate(template.text, scope)).replace(/\n{3,}/g, '\n\n');
  return { subject, text };
}

const asText = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
/** Header injection: a subject is one line. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').trim();

/** Stops waiting at the step's timeout (the transport may still finish; the outbox key keeps it single). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
