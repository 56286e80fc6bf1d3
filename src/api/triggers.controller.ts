import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, HttpException, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { StreamCategory, formatPosition, parsePosition, workflowStream } from '@contracts';
import { loadState } from '../commands/handle-command';
import { workflowDecider } from '../domain/workflow/workflow.decider';
import { Access } from '../auth/access.decorator';
import { Public } from '../auth/public.decorator';
import { Commands } from '../commands/dispatch';
import { DomainError } from '../domain/decider';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { listTriggers, triggerHistory } from '../queries/trigger.queries';
import { nextFires } from '../triggers/cron-schedule';
import { postCustomEvent } from '../triggers/event-triggers';
import { parseCronConfig } from '../triggers/trigger-config';
import { MAX_ACTIVE_WEBHOOK_SECRETS } from '../adapters/crypto/webhook-signature';
import { WebhookEndpoints, newWebhookSecret } from '../triggers/webhook-endpoints';
import { WebhookIngress } from '../triggers/webhook-ingress';
import { problem, sendProblem } from './problem';
import { commandMetadata, correlationIdOf, requestAccess } from './request-metadata';
import { ListTriggersParams, NextFiresParams, PostEventRequest, TriggerHistoryParams } from './triggers.dto';

/**
 * Trigger management (SPEC C1-C5) under /api/workflows/:id/triggers. Adding and removing a trigger are draft edits
 * (WorkflowGraphController); enabling and disabling are events that apply at once (no publish needed); rotating and
 * retiring a webhook secret record an event with the secret's fingerprint, the secret itself only in webhook_endpoint.
 */
@ApiTags('triggers')
@ApiBearerAuth()
@Controller('api/workflows/:id/triggers')
export class TriggersController {
  constructor(
    private readonly commands: Commands,
    private readonly endpoints: WebhookEndpoints,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  @Get()
  @Access({ workflow: 'view' })
  async list(@Param('id') id: string, @Query() params: ListTriggersParams) {
    const position = params.minPosition ? parsePosition(params.minPosition) : undefined;
    // Read your writes: the triggers come from the draft and the summary (workflow events).
    if (position) await this.commands.awaitProjections(position, StreamCategory.workflow, ['workflow_definition', 'workflow_summary']);
    return { items: await listTriggers(this.infra.database.db, id, await this.endpoints.forWorkflow(id)) };
  }

  @Post(':triggerId/enable')
  @HttpCode(200)
  @Access({ workflow: 'edit' })
  enable(@Param('id') id: string, @Param('triggerId') triggerId: string, @Req() req: Request) {
    return this.setEnabled(id, triggerId, true, req);
  }

  @Post(':triggerId/disable')
  @HttpCode(200)
  @Access({ workflow: 'edit' })
  disable(@Param('id') id: string, @Param('triggerId') triggerId: string, @Req() req: Request) {
    return this.setEnabled(id, triggerId, false, req);
  }

  /**
   * Adds a secret beside the current one and shows it ONCE; senders switch, then the old one is retired. The event
   * (which checks the trigger exists and is a webhook) is recorded before the secret is stored.
   */
  @Post(':triggerId/secrets')
  @Access({ workflow: 'edit' })
  async rotate(@Param('id') id: string, @Param('triggerId') triggerId: string, @Req() req: Request) {
    const existing = await this.endpoints.forTrigger(id, triggerId);
    if (existing && existing.secrets.length >= MAX_ACTIVE_WEBHOOK_SECRETS) {
      throw new DomainError('conflict', 'too-many-secrets', `A webhook trigger has at most ${MAX_ACTIVE_WEBHOOK_SECRETS} active secrets; retire one first`);
    }
    const secret = newWebhookSecret();
    await this.recordSecret(id, triggerId, 'rotated', secret.fingerprint, req);
    const stored = existing ? await this.endpoints.rotate(id, triggerId, secret) : await this.endpoints.create(id, triggerId, secret);
    if (!stored) throw new DomainError('not_found', 'trigger-not-found', `No webhook trigger ${triggerId}`);
    const { endpoint } = stored;
    return { hookId: endpoint.hookId, url: `/api/hooks/${endpoint.hookId}`, secret: secret.secret, fingerprint: secret.fingerprint, activeSecrets: endpoint.secrets.map((s) => s.fingerprint) };
  }

  @Delete(':triggerId/secrets/:fingerprint')
  @HttpCode(200)
  @Access({ workflow: 'edit' })
  async retire(@Param('id') id: string, @Param('triggerId') triggerId: string, @Param('fingerprint') fingerprint: string, @Req() req: Request) {
    const existing = await this.endpoints.forTrigger(id, triggerId);
    if (!existing) throw new DomainError('not_found', 'trigger-not-found', `No webhook trigger ${triggerId} with secrets`);
    if (!existing.secrets.some((s) => s.fingerprint === fingerprint)) throw new DomainError('not_found', 'secret-not-found', `No active secret ${fingerprint.slice(0, 20)}`);
    if (existing.secrets.length === 1) throw new DomainError('conflict', 'last-secret', 'The only active secret cannot be retired; rotate first');
    await this.recordSecret(id, triggerId, 'retired', fingerprint, req);
    const endpoint = await this.endpoints.retire(id, triggerId, fingerprint);
    return { activeSecrets: (endpoint?.secrets ?? []).map((s) => s.fingerprint) };
  }

  /**
   * The next fire instants of a cron trigger: the published schedule, or the draft's before it is published. Read
   * from the workflow's stream, not the read models, so a trigger just added previews at once.
   */
  @Get(':triggerId/next')
  @Access({ workflow: 'view' })
  async next(@Param('id') id: string, @Param('triggerId') triggerId: string, @Query() query: NextFiresParams) {
    const { state } = await loadState(this.infra.store, workflowDecider, workflowStream(id));
    const published = state.versions[state.versions.length - 1]?.triggers.find((t) => t.id === triggerId);
    const draft = state.definition.triggers.find((t) => t.id === triggerId);
    const trigger = published ?? draft;
    if (!trigger) throw new DomainError('not_found', 'trigger-not-found', `No trigger ${triggerId}`);
    if (trigger.kind !== 'cron') throw new DomainError('rule_violated', 'not-a-cron-trigger', `Trigger ${triggerId} is a ${trigger.kind} trigger`);
    const parsed = parseCronConfig(trigger.config);
    if (!parsed.ok) throw new DomainError('rule_violated', 'invalid-trigger-config', parsed.errors.join('; '));
    const { expression, zone } = parsed.config;
    const enabled = draft ? draft.enabled : trigger.enabled;
    const fires = nextFires(expression, zone, new Date(), query.count ?? 10).map((d) => d.toISOString());
    return { triggerId, expression, zone, source: published ? 'published' : 'draft', live: !!published && enabled && state.status === 'active', next: fires };
  }

  @Get(':triggerId/history')
  @Access({ workflow: 'view' })
  async history(@Param('id') id: string, @Param('triggerId') triggerId: string, @Query() query: TriggerHistoryParams) {
    const page = await triggerHistory(this.infra.database.db, id, triggerId, { limit: query.limit ?? 20, cursor: query.cursor });
    if (!page) throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'cursor is not one this list returned'), 400);
    return page;
  }

  private async setEnabled(workflowId: string, triggerId: string, enabled: boolean, req: Request) {
    const result = await this.commands.send('workflow', { type: 'SetTriggerEnabled', data: { workflowId, triggerId, enabled }, metadata: commandMetadata(req) });
    return { id: workflowId, triggerId, enabled, revision: Number(result.revision), ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }

  private async recordSecret(workflowId: string, triggerId: string, change: 'rotated' | 'retired', fingerprint: string, req: Request) {
    await this.commands.send('workflow', { type: 'RecordWebhookSecret', data: { workflowId, triggerId, change, fingerprint }, metadata: commandMetadata(req) });
  }
}

/** The public webhook address (SPEC C3): signed, not signed in. The raw body is captured for this path only. */
@ApiTags('triggers')
@Public()
@SkipThrottle()
@Controller('api/hooks')
export class HooksController {
  constructor(private readonly ingress: WebhookIngress) {}

  @Post(':hookId')
  async receive(@Param('hookId') hookId: string, @Req() req: Request, @Res() res: Response) {
    const body = (req as Request & { body?: unknown }).body;
    const answer = await this.ingress.receive({
      hookId,
      headers: req.headersDistinct,
      rawBody: Buffer.isBuffer(body) ? body : new Uint8Array(0),
      remoteAddress: req.socket.remoteAddress,
      correlationId: correlationIdOf(req),
    });
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    if (answer.status >= 400) return sendProblem(res, { ...(answer.body as ReturnType<typeof problem>), instance: req.originalUrl });
    res.status(answer.status).json(answer.body);
  }
}

/** Custom internal events (SPEC C4): recorded as events, so event triggers of the workspace see them. */
@ApiTags('triggers')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  @Post()
  @HttpCode(202)
  @Access({ workspace: 'editor' })
  async post(@Body() body: PostEventRequest, @Req() req: Request) {
    const eventId = randomUUID();
    const metadata = commandMetadata(req, requestAccess(req).workspaceId);
    const result = await postCustomEvent(this.infra.store, { type: 'PostCustomEvent', data: { eventId, type: body.type, data: body.data ?? {} }, metadata });
    return { eventId, ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }
}
