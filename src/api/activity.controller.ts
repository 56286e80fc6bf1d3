import { Controller, Get, HttpCode, HttpException, Param, Post, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { ActivityDto, NotificationDto, Page } from '@contracts';
import { Access } from '../auth/access.decorator';
import { Commands } from '../commands/dispatch';
import {
  GetNotificationQuery,
  ListActivityQuery,
  ListNotificationsQuery,
  decodePositionCursor,
  type PageRequest,
} from '../queries/activity.queries';
import { commandMetadata, currentUser, requestAccess } from './request-metadata';
import { problem } from './problem';
import { NotificationParams } from './activity.dto';
import { PageParams } from './paging.dto';
import { isUuid } from '@contracts';

export const NOTIFICATION_PROJECTIONS = ['notification'] as const;

/** F5: who did what and when, per workspace and per workflow; and what concerns me. */
@ApiTags('activity')
@ApiBearerAuth()
@Controller('api')
export class ActivityController {
  constructor(
    private readonly commands: Commands,
    private readonly queries: QueryBus,
  ) {}

  /** Events of the request's workspace (X-Workspace-Id, else the caller's first), newest first. */
  @Get('activity')
  @Access({ workspace: 'viewer' })
  @ApiOkResponse({ description: 'A page of events of the workspace, newest first' })
  workspaceFeed(@Query() params: PageParams, @Req() req: Request): Promise<Page<ActivityDto>> {
    return this.queries.execute(new ListActivityQuery({ workspaceId: requestAccess(req).workspaceId }, pageOf(params)));
  }

  @Get('workflows/:id/activity')
  @Access({ workflow: 'view' })
  @ApiOkResponse({ description: 'A page of events of the workflow, newest first' })
  workflowFeed(@Param('id') id: string, @Query() params: PageParams): Promise<Page<ActivityDto>> {
    return this.queries.execute(new ListActivityQuery({ workflowId: id }, pageOf(params)));
  }

  @Get('notifications')
  @Access({ signedIn: true })
  @ApiOkResponse({ description: "A page of the caller's notifications, newest first" })
  notifications(@Query() params: NotificationParams, @Req() req: Request): Promise<Page<NotificationDto>> {
    return this.queries.execute(new ListNotificationsQuery(currentUser(req).id, { ...pageOf(params), unreadOnly: params.unread === 'true' }));
  }

  /** Only a notification that concerns the caller; anyone else's is 404, like one that does not exist. */
  @Post('notifications/:id/read')
  @HttpCode(200)
  @Access({ signedIn: true })
  async markRead(@Param('id') id: string, @Req() req: Request) {
    const userId = currentUser(req).id;
    const notification: NotificationDto | undefined = isUuid(id) ? await this.queries.execute(new GetNotificationQuery(userId, id)) : undefined;
    if (!notification) throw new HttpException(problem(404, 'notification-not-found', 'Notification not found', `No notification ${id}`), 404);
    await this.commands.sendAndProject(
      'user',
      { type: 'MarkNotificationRead', data: { userId, notificationId: notification.id }, metadata: commandMetadata(req) },
      NOTIFICATION_PROJECTIONS,
    );
    return { id: notification.id, read: true };
  }
}

function pageOf(params: PageParams): PageRequest {
  const cursor = params.cursor === undefined ? undefined : decodePositionCursor(params.cursor);
  if (params.cursor !== undefined && !cursor) {
    throw new HttpException(problem(400, 'invalid-cursor', 'Invalid cursor', 'Pass the nextCursor of a previous page'), 400);
  }
  return { limit: params.limit ?? 20, cursor };
}
