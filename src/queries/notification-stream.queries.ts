import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql } from 'kysely';
import type { NotificationDto } from '@contracts';
import { comparePositions, formatPosition, type LogPosition } from '@contracts';
import { notificationProjector } from '../../projections/notification/notification.projector';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { notificationsOf, toNotificationDto } from './activity.queries';

export interface StreamedNotification {
  /** Log position of the event behind it (`<tx>.<gp>`): the SSE event id. */
  position: string;
  notification: NotificationDto;
}

export interface NotificationPoll {
  /**
   * Every notification event at or before this position is in the read model: rows after it may
   * still appear out of order (the projector applies each stream category on its own), rows at
   * or before it never will.
   */
  settled: LogPosition;
  /** The caller's notifications after `after`, oldest first, without the ids in `exclude`. */
  items: StreamedNotification[];
}

/** One poll of the notification stream (GET /api/notifications/stream). */
export class PollNotificationsQuery {
  constructor(
    readonly userId: string,
    /** `'settled'`: after the watermark this poll reads (what a new stream starts from). */
    readonly after: LogPosition | 'settled',
    readonly exclude: ReadonlySet<string>,
    readonly limit = 100,
  ) {}
}

@QueryHandler(PollNotificationsQuery)
export class PollNotificationsHandler implements IQueryHandler<PollNotificationsQuery, NotificationPoll> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ userId, after, exclude, limit }: PollNotificationsQuery): Promise<NotificationPoll> {
    const { db } = this.infra.database;
    // Read the watermark first: whatever it covers is already in the rows read next.
    const checkpoints = await db
      .selectFrom('projection_checkpoint')
      .select(['category', 'transaction_id', 'global_position'])
      .where('projection', '=', notificationProjector.name)
      .execute();
    const settled = notificationProjector.categories
      .map((category) => checkpoints.find((c) => c.category === category))
      .map((c) => (c ? { transactionId: BigInt(c.transaction_id), globalPosition: BigInt(c.global_position) } : { transactionId: 0n, globalPosition: 0n }))
      .reduce((min, p) => (comparePositions(p, min) < 0 ? p : min));
    const from = after === 'settled' ? settled : after;
    let query = notificationsOf(this.infra, userId).where(
      sql<boolean>`(notification.transaction_id, notification.global_position) > (${from.transactionId.toString()}::bigint, ${from.globalPosition.toString()}::bigint)`,
    );
    if (exclude.size > 0) query = query.where('notification.notification_id', 'not in', [...exclude]);
    const rows = await query.orderBy('notification.transaction_id', 'asc').orderBy('notification.global_position', 'asc').orderBy('notification.notification_id').limit(limit).execute();
    return {
      settled,
      items: rows.map((row) => ({
        position: formatPosition({ transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }),
        notification: toNotificationDto(row as Parameters<typeof toNotificationDto>[0]),
      })),
    };
  }
}
