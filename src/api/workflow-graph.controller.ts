import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Headers, HttpCode, HttpException, Param, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { WorkflowCommand } from '@contracts';
import { formatPosition } from '@contracts';
import { Access } from '../auth/access.decorator';
import { Commands } from '../commands/dispatch';
import { WebhookEndpoints, newWebhookSecret } from '../triggers/webhook-endpoints';
import { commandMetadata } from './request-metadata';
import { problem } from './problem';
import { etagOf, expectedRevisionFrom } from './etag';
import {
  AddStepRequest,
  AddTriggerRequest,
  ConfigureStepRequest,
  ConnectStepsRequest,
  DeclareVariableRequest,
  RenameStepRequest,
  SetTagsRequest,
  StepPolicyRequest,
  UpdateTriggerRequest,
  PositionDto,
} from './workflow-graph.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag ("<revision>") of the draft the edit builds on; stale = 412' };
const EDIT = { workflow: 'edit' } as const;

/**
 * Fine-grained edits of the draft graph (SPEC A2): each route is one command and one or more
 * events. The answer carries the new revision (ETag) and the log position (read your write with
 * GET /api/workflows/:id?minPosition=..., which also returns the validation).
 */
@ApiTags('workflow graph')
@ApiBearerAuth()
@ApiHeader(IF_MATCH)
@Controller('api/workflows/:id')
export class WorkflowGraphController {
  constructor(
    private readonly commands: Commands,
    private readonly webhooks: WebhookEndpoints,
  ) {}

  @Post('steps')
  @Access(EDIT)
  addStep(@Param('id') id: string, @Body() body: AddStepRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const stepId = body.id ?? randomUUID();
    const step = {
      id: stepId,
      name: body.name,
      type: body.type,
      config: body.config ?? {},
      position: body.position ? { x: body.position.x, y: body.position.y } : { x: 0, y: 0 },
      errorStrategy: body.errorStrategy ?? 'fail',
      ...(body.retryPolicy ? { retryPolicy: { ...body.retryPolicy } } : {}),
      ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}),
      ...(body.join !== undefined ? { join: body.join } : {}),
    };
    return this.send(res, ifMatch, { type: 'AddStep', data: { workflowId: id, step }, metadata: commandMetadata(req) }, { stepId });
  }

  @Put('steps/:stepId/config')
  @Access(EDIT)
  configure(@Param('id') id: string, @Param('stepId') stepId: string, @Body() body: ConfigureStepRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'ConfigureStep', data: { workflowId: id, stepId, config: body.config }, metadata: commandMetadata(req) }, { stepId });
  }

  @Put('steps/:stepId/name')
  @Access(EDIT)
  rename(@Param('id') id: string, @Param('stepId') stepId: string, @Body() body: RenameStepRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'RenameStep', data: { workflowId: id, stepId, name: body.name }, metadata: commandMetadata(req) }, { stepId });
  }

  @Put('steps/:stepId/position')
  @Access(EDIT)
  move(@Param('id') id: string, @Param('stepId') stepId: string, @Body() body: PositionDto, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'MoveStep', data: { workflowId: id, stepId, position: { x: body.x, y: body.y } }, metadata: commandMetadata(req) }, { stepId });
  }

  @Put('steps/:stepId/policy')
  @Access(EDIT)
  policy(@Param('id') id: string, @Param('stepId') stepId: string, @Body() body: StepPolicyRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const data = { workflowId: id, stepId, errorStrategy: body.errorStrategy, ...(body.retryPolicy ? { retryPolicy: { ...body.retryPolicy } } : {}), ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}), ...(body.join !== undefined ? { join: body.join } : {}) };
    return this.send(res, ifMatch, { type: 'ChangeStepPolicy', data, metadata: commandMetadata(req) }, { stepId });
  }

  @Delete('steps/:stepId')
  @HttpCode(200)
  @Access(EDIT)
  removeStep(@Param('id') id: string, @Param('stepId') stepId: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'RemoveStep', data: { workflowId: id, stepId }, metadata: commandMetadata(req) }, { stepId });
  }

  @Post('edges')
  @Access(EDIT)
  connect(@Param('id') id: string, @Body() body: ConnectStepsRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const edge = { id: body.id ?? randomUUID(), from: body.from, to: body.to, ...(body.condition ? { condition: body.condition } : {}), ...(body.label ? { label: body.label } : {}) };
    return this.send(res, ifMatch, { type: 'ConnectSteps', data: { workflowId: id, edge }, metadata: commandMetadata(req) }, { edgeId: edge.id });
  }

  @Delete('edges/:edgeId')
  @HttpCode(200)
  @Access(EDIT)
  disconnect(@Param('id') id: string, @Param('edgeId') edgeId: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'DisconnectSteps', data: { workflowId: id, edgeId }, metadata: commandMetadata(req) }, { edgeId });
  }

  @Put('variables/:name')
  @Access(EDIT)
  declare(@Param('id') id: string, @Param('name') name: string, @Body() body: DeclareVariableRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const variable = { name, type: body.type, required: body.required ?? false, ...(body.default !== undefined ? { default: body.default } : {}), ...(body.description ? { description: body.description } : {}) };
    return this.send(res, ifMatch, { type: 'DeclareVariable', data: { workflowId: id, variable }, metadata: commandMetadata(req) }, { name });
  }

  @Delete('variables/:name')
  @HttpCode(200)
  @Access(EDIT)
  removeVariable(@Param('id') id: string, @Param('name') name: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'RemoveVariable', data: { workflowId: id, name }, metadata: commandMetadata(req) }, { name });
  }

  @Post('triggers')
  @Access(EDIT)
  async addTrigger(@Param('id') id: string, @Body() body: AddTriggerRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const trigger = { id: body.id ?? randomUUID(), kind: body.kind, name: body.name, enabled: body.enabled ?? true, config: body.config ?? {} };
    const added = await this.send(res, ifMatch, { type: 'AddTrigger', data: { workflowId: id, trigger }, metadata: commandMetadata(req) }, { triggerId: trigger.id });
    if (trigger.kind !== 'webhook') return added;
    // A webhook trigger gets its address and first secret now; the secret is shown this once (see triggers.controller).
    const secret = newWebhookSecret();
    const recorded = await this.commands.send('workflow', {
      type: 'RecordWebhookSecret',
      data: { workflowId: id, triggerId: trigger.id, change: 'rotated', fingerprint: secret.fingerprint },
      metadata: commandMetadata(req),
    });
    const { endpoint } = await this.webhooks.create(id, trigger.id, secret);
    res.setHeader('ETag', etagOf(recorded.revision));
    return {
      ...added,
      revision: Number(recorded.revision),
      ...(recorded.position ? { position: formatPosition(recorded.position) } : {}),
      webhook: { hookId: endpoint.hookId, url: `/api/hooks/${endpoint.hookId}`, secret: secret.secret, fingerprint: secret.fingerprint },
    };
  }

  /** Edits a trigger in place (a draft edit, like adding): same id, so a webhook keeps its address and secrets. */
  @Patch('triggers/:triggerId')
  @Access(EDIT)
  updateTrigger(@Param('id') id: string, @Param('triggerId') triggerId: string, @Body() body: UpdateTriggerRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (body.name === undefined && body.config === undefined) {
      throw new HttpException(problem(400, 'nothing-to-change', 'Nothing to change', 'Send name, config or both'), 400);
    }
    const data = { workflowId: id, triggerId, ...(body.name !== undefined ? { name: body.name } : {}), ...(body.config !== undefined ? { config: body.config } : {}) };
    return this.send(res, ifMatch, { type: 'UpdateTrigger', data, metadata: commandMetadata(req) }, { triggerId });
  }

  @Delete('triggers/:triggerId')
  @HttpCode(200)
  @Access(EDIT)
  removeTrigger(@Param('id') id: string, @Param('triggerId') triggerId: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'RemoveTrigger', data: { workflowId: id, triggerId }, metadata: commandMetadata(req) }, { triggerId });
  }

  @Put('tags')
  @Access(EDIT)
  tags(@Param('id') id: string, @Body() body: SetTagsRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.send(res, ifMatch, { type: 'SetTags', data: { workflowId: id, tags: body.tags }, metadata: commandMetadata(req) }, {});
  }

  private async send(res: Response, ifMatch: string | undefined, command: WorkflowCommand, extra: Record<string, string>) {
    const result = await this.commands.send('workflow', command, { expectedRevision: expectedRevisionFrom(ifMatch) });
    res.setHeader('ETag', etagOf(result.revision));
    return { id: command.data.workflowId, ...extra, revision: Number(result.revision), ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }
}
