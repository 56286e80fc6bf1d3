import { BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageParams } from './paging.dto';

export const EXECUTION_STATUSES = ['running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export const CONTROL_ACTIONS = ['pause', 'resume', 'cancel', 'retry'] as const;

/** The longest `timeoutMs` of a run: 30 days. */
const MAX_RUN_TIMEOUT_MS = 30 * 86_400_000;

export class ExecuteWorkflowRequest {
  @ApiPropertyOptional({ description: 'Values of the workflow variables (and anything else as input.<key>)', type: Object })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Published version to run; the latest when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ description: 'The whole run fails after this many milliseconds' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(MAX_RUN_TIMEOUT_MS)
  timeoutMs?: number;
}

/**
 * The execute body, checked by hand with ExecuteWorkflowRequest's rules and the global
 * ValidationPipe's messages (unknown properties refused, null as absent). It is the busiest route
 * of the API, and class-transformer with class-validator took about 3% of a loaded process on it.
 * The class stays as the route's OpenAPI body.
 */
export function parseExecuteRequest(body: unknown): ExecuteWorkflowRequest {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException(['the body must be a JSON object']);
  const { input, version, timeoutMs, ...unknown } = body as Record<string, unknown>;
  const errors = Object.keys(unknown).map((key) => `property ${key} should not exist`);
  if (input != null && (typeof input !== 'object' || Array.isArray(input))) errors.push('input must be an object');
  errors.push(...integerIssues('version', version, 1), ...integerIssues('timeoutMs', timeoutMs, 100, MAX_RUN_TIMEOUT_MS));
  if (errors.length > 0) throw new BadRequestException(errors);
  return {
    ...(input != null ? { input: input as Record<string, unknown> } : {}),
    ...(version != null ? { version: version as number } : {}),
    ...(timeoutMs != null ? { timeoutMs: timeoutMs as number } : {}),
  };
}

function integerIssues(name: string, value: unknown, min: number, max?: number): string[] {
  if (value == null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [`${name} must be an integer number`];
  if (value < min) return [`${name} must not be less than ${min}`];
  return max !== undefined && value > max ? [`${name} must not be greater than ${max}`] : [];
}

export class BulkExecuteRequest {
  @ApiProperty()
  @IsUUID()
  workflowId!: string;

  @ApiProperty({ type: [Object], description: 'One run per input (at most 1000)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsObject({ each: true })
  inputs!: Record<string, unknown>[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class ListExecutionsParams extends PageParams {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ enum: EXECUTION_STATUSES })
  @IsOptional()
  @IsIn(EXECUTION_STATUSES)
  status?: (typeof EXECUTION_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Started at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ description: 'Started before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({ description: 'Wait until the read model has this position ("<tx>.<gp>")' })
  @IsOptional()
  @Matches(/^\d{1,20}\.\d{1,20}$/)
  minPosition?: string;
}

export class ExecutionParams {
  @IsUUID()
  executionId!: string;
}

export class TimelineParams {
  @ApiPropertyOptional({ description: 'State after the first N events instead of the events' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  at?: number;
}

export class ControlRequest {
  @ApiProperty({ enum: CONTROL_ACTIONS })
  @IsIn(CONTROL_ACTIONS)
  action!: (typeof CONTROL_ACTIONS)[number];

  @ApiPropertyOptional({ description: 'Why (cancel)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ForkRequest {
  @ApiProperty({ description: 'The step the new run starts again at; steps before it keep their outputs' })
  @IsString()
  @MaxLength(100)
  stepId!: string;

  @ApiPropertyOptional({ type: Object, description: 'Edited input (else the original run\'s)' })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Another published version (else the original run\'s)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class ListApprovalsParams {
  @ApiPropertyOptional({ description: '1: only what I may answer' })
  @IsOptional()
  @IsIn(['0', '1', 'true', 'false'])
  mine?: string;

  @ApiPropertyOptional({ enum: ['pending', 'approved', 'rejected', 'closed'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'rejected', 'closed'])
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class ApprovalParams {
  @IsString()
  @MaxLength(300)
  approvalId!: string;
}

export class ApprovalDecisionRequest {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'])
  decision!: 'approve' | 'reject';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
