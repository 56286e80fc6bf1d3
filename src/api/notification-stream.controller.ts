import { Controller, Get, Headers, Logger, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { comparePositions, parsePosition, type LogPosition } from '@contracts';
import { Access } from '../auth/access.decorator';
import { PollNotificationsQuery, type NotificationPoll } from '../queries/notification-stream.queries';
import { currentUser } from './request-metadata';

/** How often the read model is polled, and how often an idle stream says it is alive. */
export const NOTIFICATION_STREAM_TIMING = { pollMs: 500, heartbeatMs: 15_000 };

/**
 * `GET /api/notifications/stream`: the caller's new notifications as Server-Sent Events
 * (`event: notification`, `id:` the log position, `data:` a NotificationDto), from the moment of
 * connection, or after `Last-Event-ID` when a client reconnects. Polls the read model; a comment
 * line every 15 s keeps proxies from closing an idle stream.
 */
@ApiTags('activity')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationStreamController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('NotificationStream');
  private readonly open = new Set<() => void>();

  constructor(private readonly queries: QueryBus) {}

  @Get('stream')
  @Access({ signedIn: true })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'A stream of `notification` events, one per new notification of the caller' })
  async stream(@Req() req: Request, @Res() res: Response, @Headers('last-event-id') lastEventId?: string): Promise<void> {
    const userId = currentUser(req).id;
    const resumeAfter = lastEventId ? parsePosition(lastEventId.trim()) : undefined;
    // Rows after `after` are candidates; `sent` holds the ids after it already sent (or there at
    // connection), because rows can appear out of position order until `settled` passes them.
    let after: LogPosition;
    const sent = new Map<string, LogPosition>();
    if (resumeAfter) {
      after = resumeAfter;
    } else {
      // What is there at connection is not news: only what appears from now on is sent.
      const present = await this.queries.execute<PollNotificationsQuery, NotificationPoll>(new PollNotificationsQuery(userId, 'settled', new Set(), 10_000));
      after = present.settled;
      for (const item of present.items) sent.set(item.notification.id, parsePosition(item.position)!);
    }

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n: connected\n\n');

    let polling = false;
    const tick = async () => {
      if (polling || res.writableEnded) return;
      polling = true;
      try {
        const { settled, items } = await this.poll(userId, after, sent);
        for (const item of items) {
          if (res.writableEnded) return;
          res.write(`id: ${item.position}\nevent: notification\ndata: ${JSON.stringify(item.notification)}\n\n`);
          sent.set(item.notification.id, parsePosition(item.position)!);
        }
        if (comparePositions(settled, after) > 0) {
          after = settled;
          for (const [id, position] of sent) if (comparePositions(position, after) <= 0) sent.delete(id);
        }
      } catch (error) {
        this.logger.warn(`notification stream poll failed: ${(error as Error).message}`);
      } finally {
        polling = false;
      }
    };
    const pollTimer = setInterval(() => void tick(), NOTIFICATION_STREAM_TIMING.pollMs);
    const heartbeat = setInterval(() => res.writableEnded || res.write(': heartbeat\n\n'), NOTIFICATION_STREAM_TIMING.heartbeatMs);
    const close = () => {
      clearInterval(pollTimer);
      clearInterval(heartbeat);
      this.open.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.open.add(close);
    req.on('close', close);
    res.on('close', close);
  }

  /** Streams open now (each holds two timers until its client goes). */
  get openStreams(): number {
    return this.open.size;
  }

  /** Open streams would keep the HTTP server from closing (Nest closes it before `onApplicationShutdown`): end them first. */
  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }

  private poll(userId: string, after: LogPosition, sent: Map<string, LogPosition>): Promise<NotificationPoll> {
    return this.queries.execute(new PollNotificationsQuery(userId, after, new Set(sent.keys())));
  }
}
