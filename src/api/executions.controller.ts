import { Body, Controller, Get, HttpCode, HttpException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ExecutionCommand } from '@contracts';
import { executionStream, formatPosition, parsePosition } from '@contracts';
import { Access } from '../auth/access.decorator';
import { Commands } from '../commands/dispatch';
import { loadState } from '../commands/handle-command';
import { ExecutionStarter } from '../commands/start-execution';
import { DomainError } from '../domain/decider';
import { executionDecider } from '../domain/execution/execution.decider';
import { checkRunInput } from '../domain/execution/run-input';
import { findPublishedVersion } from '../queries/published-version';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { ExecutionQueries } from '../queries/execution.queries';
import { decodeCursor } from '../queries/workflow.queries';
import { Inject } from '@nestjs/common';
import { problem } from './problem';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { openSse } from './sse';
import { ReadParams } from './workflow.dto';
import { BulkExecuteRequest, ControlRequest, ExecuteWorkflowRequest, ExecutionParams, ForkRequest, ListExecutionsParams, TimelineParams, parseExecuteRequest } from './execution.dto';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
const POLL_MS = 250;

const CONTROL_COMMANDS = {
  pause: 'PauseExecution',
  resume: 'ResumeExecution',
  cancel: 'CancelExecution',
  retry: 'RetryExecution',
} as const;

/**
 * Runs (SPEC B1, B7, G2, G3): start one or many, list and inspect them, follow one live, replay its
 * timeline, control it, fork it. Registered before WorkflowsController so `/api/workflows/executions`
 * is not taken for a workflow id.
 */
@ApiTags('executions')
@ApiBearerAuth()
@Controller('api/workflows')
export class ExecutionsController {
  constructor(
    private readonly commands: Commands,
    private readonly starter: ExecutionStarter,
    private readonly queries: ExecutionQueries,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  /** Many runs in one call; with `Accept: text/event-stream` the answer is their progress, live. */
  @Post('bulk/execute')
  @Access({ workflow: 'run', inBody: true })
  async bulkExecute(@Body() body: BulkExecuteRequest, @Req() req: Request, @Res() res: Response) {
    const bulkId = randomUUID();
    const user = currentUser(req);
    // Check every input before starting any: a bad one refuses the whole request, nothing started.
    const published = await findPublishedVersion(this.infra.database.db, body.workflowId, body.version);
    const problems = published
      ? body.inputs.flatMap((input, index) => checkRunInput(published.definition.variables, input).map((issue) => ({ index, ...issue })))
      : [];
    if (problems.length > 0) {
      throw new DomainError('rule_violated', 'invalid-input', `${new Set(problems.map((p) => p.index)).size} of the inputs break the workflow's variables`, problems.slice(0, 100));
    }
    const executionIds: string[] = [];
    for (const input of body.inputs) {
      const started = await this.starter.start(
        { workflowId: body.workflowId, version: body.version, input, trigger: { kind: 'bulk', userId: user.id, bulkId }, summary: requestAccess(req).workflow },
        commandMetadata(req),
        this.infra.database.db,
      );
      executionIds.push(started.executionId);
    }
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      res.status(202).json({ bulkId, executionIds });
      return;
    }
    const sse = openSse(req, res);
    sse.send('started', { bulkId, executionIds });
    while (!sse.isClosed()) {
      const rows = await this.infra.database.db.selectFrom('execution').select(['status']).where('bulk_id', '=', bulkId).execute();
      const counts = { total: executionIds.length, recorded: rows.length, running: 0, paused: 0, succeeded: 0, failed: 0, cancelled: 0 } as Record<string, number>;
      for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
      sse.send('progress', counts);
      if (rows.length === executionIds.length && rows.every((r) => FINISHED.has(r.status))) {
        sse.send('done', counts);
        break;
      }
      await Promise.race([sse.closed, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
    sse.end();
  }

  @Post(':id/execute')
  @HttpCode(202)
  @Access({ workflow: 'run' })
  @ApiBody({ type: ExecuteWorkflowRequest, required: false })
  async execute(@Param('id') workflowId: string, @Body() raw: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const body = parseExecuteRequest(raw);
    const started = await this.starter.start(
      { workflowId, version: body.version, input: body.input ?? {}, trigger: { kind: 'manual', userId: currentUser(req).id }, timeoutMs: body.timeoutMs, summary: requestAccess(req).workflow },
      commandMetadata(req),
      this.infra.database.db,
    );
    res.location(`/api/workflows/executions/${started.executionId}`);
    return { executionId: started.executionId, version: started.version, status: 'running', position: started.position ? formatPosition(started.position) : undefined };
  }

  @Get('executions')
  @Access({ workspace: 'viewer' })
  async list(@Query() params: ListExecutionsParams, @Req() req: Request) {
    if (params.cursor !== undefined && !decodeCursor(params.cursor)) {
      throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'Pass the nextCursor of a previous page'), 400);
    }
    return this.queries.list({
      workspaceId: requestAccess(req).workspaceId,
      workflowId: params.workflowId,
      status: params.status,
      since: params.since,
      until: params.until,
      limit: params.limit ?? 20,
      cursor: params.cursor,
      minPosition: params.minPosition ? parsePosition(params.minPosition) : undefined,
    });
  }

  @Get('executions/:executionId')
  @Access({ execution: 'view' })
  async detail(@Param() { executionId }: ExecutionParams, @Query() { minPosition }: ReadParams) {
    const detail = await this.queries.detail(executionId, minPosition ? parsePosition(minPosition) : undefined);
    if (!detail) throw new HttpException(problem(404, 'execution-not-found', 'Execution not found', `No execution ${executionId}`), 404);
    return detail;
  }

  /** The run's events in order; `?at=N`: the run as it stood after its first N events (replay). */
  @Get('executions/:executionId/timeline')
  @Access({ execution: 'view' })
  async timeline(@Param() { executionId }: ExecutionParams, @Query() { at }: TimelineParams) {
    if (at !== undefined) return this.queries.stateAt(executionId, at);
    const events = await this.queries.timeline(executionId);
    return { executionId, events };
  }

  /** The run's events as they happen (SSE), from the first; ends after the run does. */
  @Get('executions/:executionId/events')
  @Access({ execution: 'view' })
  async follow(@Param() { executionId }: ExecutionParams, @Req() req: Request, @Res() res: Response) {
    const sse = openSse(req, res);
    let from = 0n;
    while (!sse.isClosed()) {
      const events = await this.infra.store.readStream(executionStream(executionId), { from });
      let ended = false;
      for (const e of events) {
        // `position`: pass it as the detail's minPosition to read the run as of this event.
        const message = { number: Number(e.revision) + 1, type: e.type, data: e.data, occurredAt: e.metadata.occurredAt, position: formatPosition(e.position) };
        sse.send(e.type, message, String(Number(e.revision) + 1));
        from = e.revision + 1n;
        ended = e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed' || e.type === 'ExecutionCancelled';
      }
      if (ended) break;
      await Promise.race([sse.closed, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
    sse.end();
  }

  @Post('executions/:executionId/control')
  @HttpCode(202)
  @Access({ execution: 'run' })
  async control(@Param() { executionId }: ExecutionParams, @Body() body: ControlRequest, @Req() req: Request) {
    const type = CONTROL_COMMANDS[body.action];
    const data = body.action === 'cancel' && body.reason ? { executionId, reason: body.reason } : { executionId };
    const result = await this.commands.send('execution', { type, data, metadata: commandMetadata(req) } as ExecutionCommand);
    return { executionId, action: body.action, events: result.events.map((e) => e.type), position: result.position ? formatPosition(result.position) : undefined };
  }

  /** A new run from a step of this one (G3): the steps before it keep their outputs; input or version may change. */
  @Post('executions/:executionId/fork')
  @HttpCode(202)
  @Access({ execution: 'run' })
  async fork(@Param() { executionId }: ExecutionParams, @Body() body: ForkRequest, @Req() req: Request) {
    const { state } = await loadState(this.infra.store, executionDecider, executionStream(executionId));
    if (!state.definition.steps.some((s) => s.id === body.stepId)) {
      throw new HttpException(problem(422, 'step-not-found', 'No such step', `Execution ${executionId} has no step ${body.stepId}`), 422);
    }
    const rerun = downstreamOf(body.stepId, state.definition.edges);
    const reusedOutputs = Object.fromEntries(
      Object.entries(state.steps)
        .filter(([id, run]) => run.status === 'succeeded' && !rerun.has(id))
        .map(([id, run]) => [id, run.output ?? null]),
    );
    const started = await this.starter.start(
      {
        workflowId: state.workflowId,
        version: body.version ?? state.version,
        input: body.input ?? state.input,
        trigger: { kind: 'fork', userId: currentUser(req).id },
        forkedFrom: { executionId, stepId: body.stepId },
        reusedOutputs,
      },
      commandMetadata(req),
      this.infra.database.db,
    );
    return { executionId: started.executionId, forkedFrom: { executionId, stepId: body.stepId }, reusedSteps: Object.keys(reusedOutputs), version: started.version };
  }
}

/** The step and everything reachable from it. */
function downstreamOf(stepId: string, edges: readonly { from: string; to: string }[]): Set<string> {
  const seen = new Set([stepId]);
  const queue = [stepId];
  while (queue.length > 0) {
    const at = queue.pop()!;
    for (const e of edges) if (e.from === at && !seen.has(e.to)) (seen.add(e.to), queue.push(e.to));
  }
  return seen;
}
