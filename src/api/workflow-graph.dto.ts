import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ArrayMaxSize,
} from 'class-validator';
import { DEFINITION_LIMITS, ERROR_STRATEGIES, TRIGGER_KINDS, VARIABLE_TYPES, type ErrorStrategy, type JoinMode, type TriggerKind, type VariableType } from '@contracts';
import { ValidateBy } from 'class-validator';

/** `join`: "all", "any" or a whole number of inputs. */
export const IsJoinMode = () =>
  ValidateBy({
    name: 'isJoinMode',
    validator: {
      validate: (value: unknown) => value === 'all' || value === 'any' || (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000),
      defaultMessage: () => 'join must be "all", "any" or a whole number of inputs (1 or more)',
    },
  });

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ID_MESSAGE = 'ids have 1 to 64 letters, digits, - or _';

export class PositionDto {
  @ApiProperty() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-1e6) @Max(1e6) x!: number;
  @ApiProperty() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-1e6) @Max(1e6) y!: number;
}

export class RetryPolicyDto {
  @ApiProperty({ minimum: 1, maximum: 100 }) @IsInt() @Min(1) @Max(100) maxAttempts!: number;
  @ApiProperty({ minimum: 0 }) @IsInt() @Min(0) @Max(86_400_000) initialIntervalMs!: number;
  @ApiProperty({ minimum: 1 }) @IsNumber() @Min(1) @Max(10) backoffCoefficient!: number;
  @ApiProperty({ minimum: 0 }) @IsInt() @Min(0) @Max(86_400_000) maxIntervalMs!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) @IsNumber() @Min(0) @Max(1) jitter!: number;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true }) nonRetryableErrors!: string[];
}

export class AddStepRequest {
  @ApiPropertyOptional({ description: 'Chosen by the client (the designer) or generated' })
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) id?: string;
  @ApiProperty({ example: 'Send welcome e-mail' }) @IsString() @MaxLength(DEFINITION_LIMITS.stepNameLength) name!: string;
  @ApiProperty({ example: 'send_email', description: 'An action type of GET /api/actions' }) @IsString() @MaxLength(64) type!: string;
  @ApiPropertyOptional({ type: Object }) @IsOptional() @IsObject() config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: PositionDto }) @IsOptional() @ValidateNested() @Type(() => PositionDto) position?: PositionDto;
  @ApiPropertyOptional({ enum: ERROR_STRATEGIES }) @IsOptional() @IsIn(ERROR_STRATEGIES) errorStrategy?: ErrorStrategy;
  @ApiPropertyOptional({ type: RetryPolicyDto }) @IsOptional() @ValidateNested() @Type(() => RetryPolicyDto) retryPolicy?: RetryPolicyDto;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(30 * 86_400_000) timeoutMs?: number;
  @ApiPropertyOptional({ description: 'When a step with several inputs runs: "all" (default), "any", or a number N (N of them taken)', oneOf: [{ type: 'string', enum: ['all', 'any'] }, { type: 'integer', minimum: 1 }] })
  @IsOptional() @IsJoinMode() join?: JoinMode;
}

export class ConfigureStepRequest {
  @ApiProperty({ type: Object }) @IsObject() config!: Record<string, unknown>;
}

export class RenameStepRequest {
  @ApiProperty() @IsString() @MaxLength(DEFINITION_LIMITS.stepNameLength) name!: string;
}

export class StepPolicyRequest {
  @ApiProperty({ enum: ERROR_STRATEGIES }) @IsIn(ERROR_STRATEGIES) errorStrategy!: ErrorStrategy;
  @ApiPropertyOptional({ type: RetryPolicyDto }) @IsOptional() @ValidateNested() @Type(() => RetryPolicyDto) retryPolicy?: RetryPolicyDto;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(30 * 86_400_000) timeoutMs?: number;
  @ApiPropertyOptional({ description: 'When a step with several inputs runs: "all" (default), "any", or a number N (N of them taken)', oneOf: [{ type: 'string', enum: ['all', 'any'] }, { type: 'integer', minimum: 1 }] })
  @IsOptional() @IsJoinMode() join?: JoinMode;
}

export class ConnectStepsRequest {
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: ID_MESSAGE }) id?: string;
  @ApiProperty() @Matches(ID, { message: ID_MESSAGE }) from!: string;
  @ApiProperty() @Matches(ID, { message: ID_MESSAGE }) to!: string;
  @ApiPropertyOptional({ description: 'JSONata; the edge is taken when truthy' }) @IsOptional() @IsString() @MaxLength(2000) condition?: string;
  @ApiPropertyOptional({ description: 'Branch label: true/false after a condition, error for an error branch' })
  @IsOptional() @IsString() @MaxLength(64) label?: string;
}

export class DeclareVariableRequest {
  @ApiProperty({ enum: VARIABLE_TYPES }) @IsIn(VARIABLE_TYPES) type!: VariableType;
  @ApiPropertyOptional() @IsOptional() default?: unknown;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() required?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class AddTriggerRequest {
  @ApiPropertyOptional() @IsOptional() @Matches(ID, { message: ID_MESSAGE }) id?: string;
  @ApiProperty({ enum: TRIGGER_KINDS }) @IsIn(TRIGGER_KINDS) kind!: TriggerKind;
  @ApiProperty() @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ type: Object }) @IsOptional() @IsObject() config?: Record<string, unknown>;
}

/** PATCH .../triggers/:triggerId: what changes (at least one); the kind stays. */
export class UpdateTriggerRequest {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ type: Object, description: 'The whole new config (replaces the old one)' }) @IsOptional() @IsObject() config?: Record<string, unknown>;
}

export class SetTagsRequest {
  @ApiProperty({ type: [String] })
  @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.tags) @IsString({ each: true }) @MaxLength(DEFINITION_LIMITS.tagLength, { each: true })
  tags!: string[];
}

export class PublishRequest {
  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500) note?: string;
}
