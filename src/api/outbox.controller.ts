import { Controller, Get, HttpException, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Page } from '@contracts';
import { Access } from '../auth/access.decorator';
import { ListOutboxQuery, decodeOutboxCursor, type OutboxMessageDto } from '../queries/outbox.queries';
import { PageParams } from './paging.dto';
import { problem } from './problem';
import { requestAccess } from './request-metadata';

/** The e-mail the workspace's workflows sent (send_email), newest first: what the JSON transport keeps when no SMTP server is set. */
@ApiTags('outbox')
@ApiBearerAuth()
@Controller('api/outbox')
export class OutboxController {
  constructor(private readonly queries: QueryBus) {}

  /** Of the request's workspace (X-Workspace-Id, else the caller's first). */
  @Get()
  @Access({ workspace: 'viewer' })
  @ApiOkResponse({ description: 'A page of e-mails of the workspace, newest first' })
  list(@Query() params: PageParams, @Req() req: Request): Promise<Page<OutboxMessageDto>> {
    const cursor = params.cursor === undefined ? undefined : decodeOutboxCursor(params.cursor);
    if (params.cursor !== undefined && !cursor) {
      throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'Pass the nextCursor of a previous page'), 400);
    }
    return this.queries.execute(new ListOutboxQuery(requestAccess(req).workspaceId, { limit: params.limit ?? 20, cursor }));
  }
}
