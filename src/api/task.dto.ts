import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import {
  TASK_COMMENT_MAX,
  TASK_DESCRIPTION_MAX,
  TASK_LABEL_MAX,
  TASK_LABELS_MAX,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_TITLE_MAX,
  isUuid,
  type TaskPriority,
  type TaskStatus,
} from '@contracts';
import { PageParams } from './paging.dto';

const POSITION = /^\d{1,20}\.\d{1,20}$/;
/** The decider checks the calendar too (2027-02-30 is a 422); this is the shape. */
const DUE_AT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const DUE_AT_MESSAGE = 'dueAt must be an ISO 8601 date (2027-01-31) or a date-time with a zone (2027-01-31T09:00:00Z)';
const LABEL = /^[^\s](?:[^\r\n]*[^\s])?$/;

function IsUserId() {
  return ValidateBy({
    name: 'isUserId',
    validator: { validate: (v: unknown) => isUuid(v), defaultMessage: () => '$property must be a user id (UUID)' },
  });
}

/** Present means valid; only the fields that may be cleared take null. */
const present = (field: string) => ValidateIf((o: Record<string, unknown>) => o[field] !== undefined);

function Labels() {
  return (target: object, key: string) => {
    ArrayMaxSize(TASK_LABELS_MAX)(target, key);
    IsArray()(target, key);
    IsString({ each: true })(target, key);
    MaxLength(TASK_LABEL_MAX, { each: true })(target, key);
    Matches(LABEL, { each: true, message: 'each label must be one line without leading or trailing spaces' })(target, key);
  };
}

/** `POST /api/tasks`: a task in the request's workspace (X-Workspace-Id, else your first). */
export class CreateTaskRequest {
  @ApiProperty({ maxLength: TASK_TITLE_MAX, example: 'Call the customer back' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TASK_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ maxLength: TASK_DESCRIPTION_MAX, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'open' })
  @present('status')
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'medium' })
  @present('priority')
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'A member of the workspace' })
  @IsOptional()
  @IsUserId()
  assigneeId?: string | null;

  @ApiPropertyOptional({ example: '2027-01-31', nullable: true })
  @IsOptional()
  @IsString()
  @Matches(DUE_AT, { message: DUE_AT_MESSAGE })
  dueAt?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: TASK_LABELS_MAX })
  @present('labels')
  @Labels()
  labels?: string[];
}

/** `PATCH /api/tasks/:id`: the fields to change (null clears description, assignee and due date). */
export class UpdateTaskRequest {
  @ApiPropertyOptional({ maxLength: TASK_TITLE_MAX })
  @present('title')
  @IsString()
  @IsNotEmpty()
  @MaxLength(TASK_TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ maxLength: TASK_DESCRIPTION_MAX, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @present('status')
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @present('priority')
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'null unassigns' })
  @IsOptional()
  @IsUserId()
  assigneeId?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'null removes the due date' })
  @IsOptional()
  @IsString()
  @Matches(DUE_AT, { message: DUE_AT_MESSAGE })
  dueAt?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the labels' })
  @present('labels')
  @Labels()
  labels?: string[];

  @ApiPropertyOptional({ type: [String] })
  @present('addLabels')
  @Labels()
  addLabels?: string[];

  @ApiPropertyOptional({ type: [String] })
  @present('removeLabels')
  @Labels()
  removeLabels?: string[];

  @ApiPropertyOptional({ maxLength: TASK_COMMENT_MAX, description: 'Recorded with the change (or alone)' })
  @present('comment')
  @IsString()
  @MaxLength(TASK_COMMENT_MAX)
  comment?: string;
}

export class ListTasksParams extends PageParams {
  @ApiPropertyOptional({ description: `One status or several, comma-separated (${TASK_STATUSES.join(', ')})`, example: 'open,in_progress' })
  @IsOptional()
  @Matches(new RegExp(`^(?:${TASK_STATUSES.join('|')})(?:,(?:${TASK_STATUSES.join('|')}))*$`), {
    message: `status must be one or more of ${TASK_STATUSES.join(', ')}, comma-separated`,
  })
  status?: string;

  @ApiPropertyOptional({ description: 'A user id, `me` (yourself) or `none` (unassigned)' })
  @IsOptional()
  @ValidateBy({
    name: 'isAssigneeFilter',
    validator: { validate: (v: unknown) => v === 'me' || v === 'none' || isUuid(v), defaultMessage: () => 'assignee must be a user id, me or none' },
  })
  assignee?: string;

  @ApiPropertyOptional({ description: 'Only tasks with this label' })
  @IsOptional()
  @IsString()
  @MaxLength(TASK_LABEL_MAX)
  label?: string;

  @ApiPropertyOptional({ description: 'Matches title or description, case-insensitive', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Wait until the list reflects this log position (from a command response)' })
  @IsOptional()
  @Matches(POSITION, { message: 'minPosition must look like 123.456' })
  minPosition?: string;
}
