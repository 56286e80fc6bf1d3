import { Body, Controller, Delete, Get, Headers, HttpCode, HttpException, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CommandAcceptedDto, Page, WorkflowCommand, WorkflowDetailDto, WorkflowSummaryDto } from '@contracts';
import { formatPosition, isUuid, parsePosition, roleRank } from '@contracts';
import { Commands } from '../commands/dispatch';
import type { CommandResult } from '../commands/handle-command';
import { Access } from '../auth/access.decorator';
import { GetWorkflowAsOfQuery, GetWorkflowQuery, ListWorkflowsQuery, decodeCursor } from '../queries/workflow.queries';
import { commandMetadata, requestAccess } from './request-metadata';
import { etagOf, expectedRevisionFrom } from './etag';
import { problem } from './problem';
import {
  CommandAcceptedResponse,
  CreateWorkflowRequest,
  DuplicateWorkflowRequest,
  GetWorkflowParams,
  ImportWorkflowRequest,
  ListWorkflowsParams,
  UpdateWorkflowRequest,
} from './workflow.dto';
import { definitionFromInput } from './definition-input';

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag ("<revision>") the change is based on; stale = 412' };

/**
 * Workflows of the request's workspace (X-Workspace-Id, else the caller's first). Reading needs
 * view, editing edit, archiving admin: from the workspace role or a share (see AccessGuard).
 */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/workflows')
export class WorkflowsController {
  constructor(
    private readonly commands: Commands,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ workspace: 'editor', workspaceInBody: true })
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  async create(@Body() body: CreateWorkflowRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const workflowId = randomUUID();
    const withDefinition = [body.steps, body.edges, body.variables, body.triggers, body.tags].some((part) => part !== undefined);
    const metadata = commandMetadata(req);
    const result = await this.createWorkflow(
      withDefinition
        ? { type: 'CreateWorkflowWithDefinition', data: { workflowId, name: body.name, description: body.description, definition: definitionFromInput(body), requireValid: true }, metadata }
        : { type: 'CreateWorkflow', data: { workflowId, name: body.name, description: body.description }, metadata },
    );
    res.location(`/api/workflows/${workflowId}`);
    return this.accepted(res, workflowId, result);
  }

  @Get()
  @Access({ workspace: 'viewer' })
  @ApiOkResponse({ description: 'A page of workflows, newest first' })
  async list(@Query() params: ListWorkflowsParams, @Req() req: Request): Promise<Page<WorkflowSummaryDto>> {
    const cursor = params.cursor === undefined ? undefined : decodeCursor(params.cursor);
    if (params.cursor !== undefined && !cursor) {
      throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'Pass the nextCursor of a previous page'), 400);
    }
    return this.queries.execute(
      new ListWorkflowsQuery({
        workspaceId: requestAccess(req).workspaceId,
        status: params.status,
        tag: params.tag,
        text: params.q?.trim() || undefined,
        limit: params.limit ?? 20,
        cursor,
        minPosition: params.minPosition ? parsePosition(params.minPosition) : undefined,
      }),
    );
  }

  @Get(':id')
  @Access({ workflow: 'view' })
  @ApiOkResponse({ description: 'The workflow; ETag is its revision' })
  async get(
    @Param('id') id: string,
    @Query() params: GetWorkflowParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WorkflowDetailDto | undefined> {
    if (params.asOf !== undefined) return this.asOf(id, params.asOf, res);
    const workflow: WorkflowDetailDto | undefined = isUuid(id)
      ? await this.queries.execute(new GetWorkflowQuery(id, params.minPosition ? parsePosition(params.minPosition) : undefined))
      : undefined;
    if (!workflow) throw notFound(id);
    const etag = etagOf(workflow.revision);
    res.setHeader('ETag', etag);
    if (ifNoneMatch === etag) {
      res.status(304);
      return undefined;
    }
    return workflow;
  }

  @Put(':id')
  @Access({ workflow: 'edit' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAcceptedResponse })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateWorkflowRequest,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (body.name === undefined && body.description === undefined) {
      throw new HttpException(problem(400, 'nothing-to-change', 'Nothing to change', 'Send a name, a description or both'), 400);
    }
    const result = await this.send(
      { type: 'UpdateWorkflow', data: { workflowId: id, name: body.name, description: body.description }, metadata: commandMetadata(req) },
      expectedRevisionFrom(ifMatch),
    );
    return this.accepted(res, id, result);
  }

  @Delete(':id')
  @HttpCode(200)
  @Access({ workflow: 'admin' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAcceptedResponse, description: 'Archived (restorable with POST /api/workflows/:id/restore)' })
  async archive(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const result = await this.sendAndSee({ type: 'ArchiveWorkflow', data: { workflowId: id }, metadata: commandMetadata(req) }, expectedRevisionFrom(ifMatch));
    return this.accepted(res, id, result);
  }

  @Post(':id/restore')
  @HttpCode(200)
  @Access({ workflow: 'admin' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAcceptedResponse })
  async restore(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const result = await this.sendAndSee({ type: 'RestoreWorkflow', data: { workflowId: id }, metadata: commandMetadata(req) }, expectedRevisionFrom(ifMatch));
    return this.accepted(res, id, result);
  }

  @Post('import')
  @Access({ workspace: 'editor' })
  @ApiCreatedResponse({ type: CommandAcceptedResponse, description: 'Validated, then created in the request workspace' })
  async import(@Body() body: ImportWorkflowRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const workflowId = randomUUID();
    const { name, description, definition } = body.workflow;
    const result = await this.createWorkflow({
      type: 'CreateWorkflowWithDefinition',
      data: { workflowId, name, description, definition: definitionFromInput(definition), requireValid: true },
      metadata: commandMetadata(req),
    });
    res.location(`/api/workflows/${workflowId}`);
    return this.accepted(res, workflowId, result);
  }

  @Get(':id/export')
  @Access({ workflow: 'view' })
  @ApiOkResponse({ description: 'The draft as JSON, with a schema version; POST it to /api/workflows/import' })
  async export(@Param('id') id: string) {
    const workflow: WorkflowDetailDto = await this.queries.execute(new GetWorkflowQuery(id));
    return { schemaVersion: 1, exportedAt: new Date().toISOString(), workflow: { name: workflow.name, description: workflow.description, definition: workflow.definition } };
  }

  /** A new workflow with this one's draft, in the same workspace (needs editor there). */
  @Post(':id/duplicate')
  @Access({ workflow: 'view' })
  async duplicate(@Param('id') id: string, @Body() body: DuplicateWorkflowRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { role } = requestAccess(req);
    if (!role || roleRank(role) < roleRank('editor')) {
      throw new HttpException(problem(403, 'forbidden', 'Forbidden', 'Duplicating creates a workflow: it needs the editor role in the workspace'), 403);
    }
    const source: WorkflowDetailDto = await this.queries.execute(new GetWorkflowQuery(id));
    const workflowId = randomUUID();
    const result = await this.createWorkflow({
      type: 'CreateWorkflowWithDefinition',
      data: { workflowId, name: body.name ?? `Copy of ${source.name}`.slice(0, 200), description: source.description, definition: source.definition, requireValid: false },
      metadata: commandMetadata(req),
    });
    res.location(`/api/workflows/${workflowId}`);
    return this.accepted(res, workflowId, result);
  }

  /** Waits for the summary so the creator can open and edit it at once (access is checked on it). */
  private createWorkflow(command: WorkflowCommand): Promise<CommandResult> {
    return this.commands.sendAndProject('workflow', command, ['workflow_summary', 'workflow_definition']);
  }

  /** Time travel (SPEC A6): `asOf` is a revision (inclusive) or an ISO instant. */
  private async asOf(id: string, asOf: string, res: Response): Promise<WorkflowDetailDto> {
    const when = /^\d{1,18}$/.test(asOf) ? { revision: BigInt(asOf) } : !Number.isNaN(Date.parse(asOf)) ? { time: new Date(asOf).toISOString() } : undefined;
    if (!when) throw new HttpException(problem(400, 'invalid-as-of', 'Invalid asOf', 'asOf is a revision number or an ISO 8601 instant'), 400);
    const workflow: WorkflowDetailDto | undefined = await this.queries.execute(new GetWorkflowAsOfQuery(id, when));
    if (!workflow) throw new HttpException(problem(404, 'not-yet-existing', 'Did not exist yet', `Workflow ${id} did not exist at ${asOf}`), 404);
    res.setHeader('ETag', etagOf(workflow.revision));
    return workflow;
  }

  private send(command: WorkflowCommand, expectedRevision: bigint | undefined): Promise<CommandResult> {
    return this.commands.send('workflow', command, { expectedRevision });
  }

  /**
   * Archive and restore answer once the summary shows them: runs are started (and refused) by what
   * the summary says, so an execute sent after the answer must not start an archived workflow.
   */
  private sendAndSee(command: WorkflowCommand, expectedRevision: bigint | undefined): Promise<CommandResult> {
    return this.commands.sendAndProject('workflow', command, ['workflow_summary'], { expectedRevision });
  }

  private accepted(res: Response, id: string, result: CommandResult): CommandAcceptedDto {
    res.setHeader('ETag', etagOf(result.revision));
    return { id, revision: Number(result.revision), ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }
}

function notFound(id: string): HttpException {
  return new HttpException(problem(404, 'workflow-not-found', 'Workflow not found', `No workflow ${id}`), 404);
}
