import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DEFINITION_LIMITS, ERROR_STRATEGIES, VARIABLE_TYPES, type ErrorStrategy, type JoinMode, type VariableType } from '@contracts';
import { IsJoinMode, PositionDto, RetryPolicyDto } from './workflow-graph.dto';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A step in a whole definition: our shape (`type`) or the seed's (`step_type`, `order`). */
export class StepInput {
  @ApiPropertyOptional() @IsOptional() @Matches(ID) id?: string;
  @ApiProperty() @IsString() @MaxLength(DEFINITION_LIMITS.stepNameLength) name!: string;
  @ApiPropertyOptional({ example: 'send_email' }) @IsOptional() @IsString() @MaxLength(64) type?: string;
  @ApiPropertyOptional({ example: 'SEND_EMAIL', description: 'The seed\'s name for the type' }) @IsOptional() @IsString() @MaxLength(64) step_type?: string;
  @ApiPropertyOptional({ description: 'Run order when no edges are given' }) @IsOptional() @IsInt() @Min(0) @Max(100_000) order?: number;
  @ApiPropertyOptional({ type: Object }) @IsOptional() @IsObject() config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: PositionDto }) @IsOptional() @ValidateNested() @Type(() => PositionDto) position?: PositionDto;
  @ApiPropertyOptional({ enum: ERROR_STRATEGIES }) @IsOptional() @IsIn(ERROR_STRATEGIES) errorStrategy?: ErrorStrategy;
  @ApiPropertyOptional({ type: RetryPolicyDto }) @IsOptional() @ValidateNested() @Type(() => RetryPolicyDto) retryPolicy?: RetryPolicyDto;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(30 * 86_400_000) timeoutMs?: number;
  @ApiPropertyOptional({ description: 'When a step with several inputs runs: "all" (default), "any", or a number N (N of them taken)', oneOf: [{ type: 'string', enum: ['all', 'any'] }, { type: 'integer', minimum: 1 }] })
  @IsOptional() @IsJoinMode() join?: JoinMode;
}

export class EdgeInput {
  @ApiPropertyOptional() @IsOptional() @Matches(ID) id?: string;
  @ApiProperty() @Matches(ID) from!: string;
  @ApiProperty() @Matches(ID) to!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) condition?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) label?: string;
}

export class VariableInput {
  @ApiProperty() @IsString() @MaxLength(64) name!: string;
  @ApiProperty({ enum: VARIABLE_TYPES }) @IsIn(VARIABLE_TYPES) type!: VariableType;
  @ApiPropertyOptional() @IsOptional() default?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() required?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
}

/** A trigger: our shape (`kind`, `enabled`) or the seed's (`trigger_type`, `is_enabled`). */
export class TriggerInput {
  @ApiPropertyOptional() @IsOptional() @Matches(ID) id?: string;
  @ApiProperty() @IsString() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ enum: ['manual', 'cron', 'webhook', 'event'] }) @IsOptional() @IsString() @MaxLength(20) kind?: string;
  @ApiPropertyOptional({ example: 'WEBHOOK' }) @IsOptional() @IsString() @MaxLength(20) trigger_type?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() is_enabled?: boolean;
  @ApiPropertyOptional({ type: Object }) @IsOptional() @IsObject() config?: Record<string, unknown>;
}

/** The parts of a whole definition, shared by creation in one call and import. */
export class DefinitionInput {
  @ApiPropertyOptional({ type: [VariableInput] })
  @IsOptional() @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.variables) @ValidateNested({ each: true }) @Type(() => VariableInput)
  variables?: VariableInput[];

  @ApiPropertyOptional({ type: [StepInput] })
  @IsOptional() @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.steps) @ValidateNested({ each: true }) @Type(() => StepInput)
  steps?: StepInput[];

  @ApiPropertyOptional({ type: [EdgeInput], description: 'Without edges, steps run one after the other by order' })
  @IsOptional() @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.edges) @ValidateNested({ each: true }) @Type(() => EdgeInput)
  edges?: EdgeInput[];

  @ApiPropertyOptional({ type: [TriggerInput] })
  @IsOptional() @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.triggers) @ValidateNested({ each: true }) @Type(() => TriggerInput)
  triggers?: TriggerInput[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(DEFINITION_LIMITS.tags) @IsString({ each: true }) @MaxLength(DEFINITION_LIMITS.tagLength, { each: true })
  tags?: string[];
}
