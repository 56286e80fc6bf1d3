import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidateNested, Equals } from 'class-validator';
import { isUuid, isWorkspaceOrdinal, WORKFLOW_DESCRIPTION_MAX, WORKFLOW_NAME_MAX } from '@contracts';
import { DefinitionInput } from './workflow-definition.dto';
import { PageParams } from './paging.dto';

/** A workspace reference: a UUID, or a positive integer (the caller's N-th workspace). */
function IsWorkspaceRef() {
  return ValidateBy({
    name: 'isWorkspaceRef',
    validator: {
      validate: (v: unknown) => (typeof v === 'number' && isWorkspaceOrdinal(v)) || isUuid(v),
      defaultMessage: () => '$property must be a workspace UUID or a positive integer',
    },
  });
}

const POSITION = /^\d{1,20}\.\d{1,20}$/;

/**
 * `POST /api/workflows`: a name (and description), and optionally a whole definition, in our
 * shape or the seed's (`workspace_id`, `step_type`, `order`, `trigger_type`, `is_enabled`).
 */
export class CreateWorkflowRequest extends DefinitionInput {
  @ApiPropertyOptional({ description: 'Workspace UUID, or N for your N-th workspace (the seed\'s integer ids)', oneOf: [{ type: 'string' }, { type: 'integer' }] })
  @IsOptional()
  @IsWorkspaceRef()
  workspaceId?: string | number;

  @ApiPropertyOptional({ description: 'Same as workspaceId (the seed\'s name)' })
  @IsOptional()
  @IsWorkspaceRef()
  workspace_id?: string | number;

  @ApiProperty({ maxLength: WORKFLOW_NAME_MAX, example: 'Customer Onboarding' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(WORKFLOW_NAME_MAX)
  name!: string;

  @ApiPropertyOptional({ maxLength: WORKFLOW_DESCRIPTION_MAX, example: 'Automated customer setup process' })
  @IsOptional()
  @IsString()
  @MaxLength(WORKFLOW_DESCRIPTION_MAX)
  description?: string;
}

export class UpdateWorkflowRequest {
  @ApiPropertyOptional({ maxLength: WORKFLOW_NAME_MAX })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(WORKFLOW_NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ maxLength: WORKFLOW_DESCRIPTION_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(WORKFLOW_DESCRIPTION_MAX)
  description?: string;
}

export class ListWorkflowsParams extends PageParams {
  @ApiPropertyOptional({ description: 'Only workflows with this tag' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  tag?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'archived', 'all'])
  status?: 'active' | 'archived' | 'all';

  @ApiPropertyOptional({ description: 'Matches name or description, case-insensitive', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Wait until the list reflects this log position (from a command response)' })
  @IsOptional()
  @Matches(POSITION, { message: 'minPosition must look like 123.456' })
  minPosition?: string;
}

export class ReadParams {
  @ApiPropertyOptional({ description: 'Wait until the read reflects this log position (from a command response)' })
  @IsOptional()
  @Matches(POSITION, { message: 'minPosition must look like 123.456' })
  minPosition?: string;
}

export class CommandAcceptedResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Stream revision after the command; also the ETag' }) revision!: number;
  @ApiPropertyOptional({ description: 'Log position of the last event; pass as minPosition to read your write' })
  position?: string;
}

export class HistoryParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'First revision of the page (nextFromRevision of the previous page)', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromRevision?: number;
}

export class GetWorkflowParams extends ReadParams {
  @ApiPropertyOptional({ description: 'Time travel: a revision (e.g. 3) or an ISO instant; answers the workflow as it was then' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asOf?: string;
}

export class ImportedWorkflow {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(WORKFLOW_NAME_MAX) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(WORKFLOW_DESCRIPTION_MAX) description?: string;
  @ApiProperty({ type: DefinitionInput }) @ValidateNested() @Type(() => DefinitionInput) definition!: DefinitionInput;
}

/** The export format (`GET /api/workflows/:id/export`), accepted back by `POST /api/workflows/import`. */
export class ImportWorkflowRequest {
  @ApiProperty({ enum: [1], description: 'Export schema version' }) @Equals(1) schemaVersion!: 1;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) exportedAt?: string;
  @ApiProperty({ type: ImportedWorkflow }) @ValidateNested() @Type(() => ImportedWorkflow) workflow!: ImportedWorkflow;
}

export class DuplicateWorkflowRequest {
  @ApiPropertyOptional({ description: 'Default: "Copy of <name>"' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(WORKFLOW_NAME_MAX) name?: string;
}
