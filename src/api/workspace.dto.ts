import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { TEAM_NAME_MAX, WORKSPACE_NAME_MAX, WORKSPACE_ROLES, type WorkspaceRole } from '@contracts';

export class CreateWorkspaceRequest {
  @ApiProperty({ example: 'Marketing' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(WORKSPACE_NAME_MAX)
  name!: string;
}

export class AddMemberRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId!: string;

  @ApiProperty({ enum: WORKSPACE_ROLES })
  @IsIn(WORKSPACE_ROLES)
  role!: WorkspaceRole;
}

export class ChangeRoleRequest {
  @ApiProperty({ enum: WORKSPACE_ROLES })
  @IsIn(WORKSPACE_ROLES)
  role!: WorkspaceRole;
}

export class CreateTeamRequest {
  @ApiProperty({ example: 'Reviewers' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEAM_NAME_MAX)
  name!: string;
}

export class AddTeamMemberRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId!: string;
}
