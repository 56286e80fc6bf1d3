import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { WORKFLOW_PERMISSIONS, type WorkflowPermission } from '@contracts';

export class GranteeDto {
  @ApiProperty({ enum: ['user', 'team'] })
  @IsIn(['user', 'team'])
  kind!: 'user' | 'team';

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class ShareRequest {
  @ApiProperty({ type: GranteeDto })
  @ValidateNested()
  @Type(() => GranteeDto)
  grantee!: GranteeDto;

  @ApiProperty({ enum: WORKFLOW_PERMISSIONS })
  @IsIn(WORKFLOW_PERMISSIONS)
  permission!: WorkflowPermission;
}

export class ChangeShareRequest {
  @ApiProperty({ enum: WORKFLOW_PERMISSIONS })
  @IsIn(WORKFLOW_PERMISSIONS)
  permission!: WorkflowPermission;
}

export class CreatePublicLinkRequest {
  @ApiPropertyOptional({ description: 'Lifetime in hours (default 168 = 7 days)', minimum: 1, maximum: 8760 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8760)
  expiresInHours?: number;

  @ApiPropertyOptional({ description: 'Or an exact expiry instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'Also show the executions (read-only)', default: false })
  @IsOptional()
  @IsBoolean()
  includeExecutions?: boolean;
}
