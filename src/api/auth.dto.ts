import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DISPLAY_NAME_MAX, EMAIL_MAX, WORKSPACE_ROLES, type WorkspaceRole } from '@contracts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export class LoginRequest {
  @ApiProperty({ example: 'admin@localhost' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(EMAIL_MAX)
  email!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class RefreshRequest {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  refreshToken!: string;
}

export class ChangePasswordRequest {
  @ApiProperty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}

export class InviteUserRequest {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail({ require_tld: false })
  @MaxLength(EMAIL_MAX)
  email!: string;

  @ApiProperty({ example: 'Alice' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(DISPLAY_NAME_MAX)
  displayName!: string;

  @ApiPropertyOptional({ enum: WORKSPACE_ROLES, default: 'editor' })
  @IsOptional()
  @IsIn(WORKSPACE_ROLES)
  role?: WorkspaceRole;
}
