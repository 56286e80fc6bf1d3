import { Body, Controller, Get, Headers, HttpException, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CommandAcceptedDto, Page, TaskCommand, TaskDto, TaskStatus } from '@contracts';
import { StreamCategory, formatPosition, isUuid, parsePosition, roleRank } from '@contracts';
import { Access } from '../auth/access.decorator';
import { Commands } from '../commands/dispatch';
import type { CommandOptions, CommandResult } from '../commands/handle-command';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { waitForProjection } from '../queries/wait-for-projection';
import { decodeTaskCursor, getTask, isWorkspaceMember, listTasks } from '../queries/task.queries';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { etagOf, expectedRevisionFrom } from './etag';
import { problem } from './problem';
import { CommandAcceptedResponse, ReadParams } from './workflow.dto';
import { CreateTaskRequest, ListTasksParams, UpdateTaskRequest } from './task.dto';

export const TASK_PROJECTIONS = ['task'] as const;
const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag ("<revision>") the change is based on; stale = 412' };
/** What the assignee of a task may change without the editor role: where it stands. */
const ASSIGNEE_FIELDS = new Set(['status', 'comment']);

/**
 * BlueBirdHub's tasks (SPEC B3: what create_task and update_task steps make and change) in the
 * request's workspace (X-Workspace-Id, else the caller's first). Members read them; editors create
 * and change them; the assignee of a task may also move its status and comment on it. A task of
 * another workspace is a 404, exactly like one that does not exist.
 */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly commands: Commands,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  private get db() {
    return this.infra.database.db;
  }

  @Get()
  @Access({ workspace: 'viewer' })
  @ApiOkResponse({ description: 'A page of tasks of the workspace, most recently changed first' })
  async list(@Query() params: ListTasksParams, @Req() req: Request): Promise<Page<TaskDto>> {
    const cursor = params.cursor === undefined ? undefined : decodeTaskCursor(params.cursor);
    if (params.cursor !== undefined && !cursor) {
      throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'Pass the nextCursor of a previous page'), 400);
    }
    await this.awaitPosition(params.minPosition);
    const assignee = params.assignee === 'me' ? currentUser(req).id : params.assignee === 'none' ? null : params.assignee?.toLowerCase();
    return listTasks(this.db, {
      workspaceId: requestAccess(req).workspaceId,
      statuses: params.status ? [...new Set(params.status.split(','))] as TaskStatus[] : undefined,
      assigneeId: assignee,
      label: params.label?.trim() || undefined,
      text: params.q?.trim() || undefined,
      limit: params.limit ?? 20,
      cursor,
    });
  }

  @Get(':id')
  @Access({ workspace: 'viewer' })
  @ApiOkResponse({ description: 'The task; ETag is its revision' })
  async get(
    @Param('id') id: string,
    @Query() params: ReadParams,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskDto | undefined> {
    await this.awaitPosition(params.minPosition);
    const task = await this.taskOfRequest(id, req);
    const etag = etagOf(task.revision);
    res.setHeader('ETag', etag);
    if (ifNoneMatch === etag) {
      res.status(304);
      return undefined;
    }
    return task;
  }

  @Post()
  @Access({ workspace: 'editor' })
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  async create(@Body() body: CreateTaskRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<CommandAcceptedDto> {
    const { workspaceId } = requestAccess(req);
    await this.requireMember(workspaceId, body.assigneeId);
    const taskId = randomUUID();
    const result = await this.send({
      type: 'CreateTask',
      data: {
        taskId,
        title: body.title,
        description: body.description,
        status: body.status,
        priority: body.priority,
        assigneeId: body.assigneeId,
        dueAt: body.dueAt,
        labels: body.labels,
      },
      metadata: commandMetadata(req),
    });
    res.location(`/api/tasks/${taskId}`);
    return this.accepted(res, taskId, result);
  }

  @Patch(':id')
  @Access({ workspace: 'viewer' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAcceptedResponse })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateTaskRequest,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedDto> {
    const expectedRevision = expectedRevisionFrom(ifMatch);
    const task = await this.taskOfRequest(id, req);
    const given = Object.keys(body).filter((k) => body[k as keyof UpdateTaskRequest] !== undefined);
    const { role } = requestAccess(req);
    const isEditor = !!role && roleRank(role) >= roleRank('editor');
    const isAssignee = task.assigneeId === currentUser(req).id;
    if (!isEditor && !(isAssignee && given.every((k) => ASSIGNEE_FIELDS.has(k)))) {
      throw new HttpException(
        problem(403, 'forbidden', 'Forbidden', isAssignee ? 'As its assignee you may change the status and comment; the rest needs the editor role' : 'Changing a task needs the editor role, or being its assignee'),
        403,
      );
    }
    if (given.length === 0) throw new HttpException(problem(400, 'nothing-to-change', 'Nothing to change', 'Send at least one field to change, or a comment'), 400);
    await this.requireMember(task.workspaceId, body.assigneeId);
    const { comment, ...changes } = body;
    const result = await this.send(
      { type: 'UpdateTask', data: { taskId: task.id, changes: { ...changes }, ...(comment !== undefined ? { comment } : {}) }, metadata: commandMetadata(req) },
      { expectedRevision },
    );
    return this.accepted(res, task.id, result);
  }

  /** The task, if it is in the request's workspace: the read model answers (it is written before POST/PATCH answer). */
  private async taskOfRequest(id: string, req: Request): Promise<TaskDto> {
    const task = isUuid(id) ? await getTask(this.db, id.toLowerCase()) : undefined;
    if (!task || task.workspaceId !== requestAccess(req).workspaceId) {
      throw new HttpException(problem(404, 'task-not-found', 'Task not found', `No task ${id} in this workspace`), 404);
    }
    return task;
  }

  private async requireMember(workspaceId: string, assigneeId: string | null | undefined): Promise<void> {
    if (!assigneeId || (await isWorkspaceMember(this.db, workspaceId, assigneeId.toLowerCase()))) return;
    throw new HttpException(problem(422, 'assignee-not-member', 'Assignee not a member', 'A task can only be assigned to a member of its workspace'), 422);
  }

  private async awaitPosition(minPosition: string | undefined): Promise<void> {
    const position = minPosition ? parsePosition(minPosition) : undefined;
    if (position) await waitForProjection(this.db, 'task', StreamCategory.task, position);
  }

  /** Waits for the task read model, so a GET right after sees the write. */
  private send(command: TaskCommand, options: CommandOptions = {}): Promise<CommandResult> {
    return this.commands.sendAndProject('task', command, TASK_PROJECTIONS, options);
  }

  private accepted(res: Response, id: string, result: CommandResult): CommandAcceptedDto {
    res.setHeader('ETag', etagOf(result.revision));
    return { id, revision: Number(result.revision), ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }
}
