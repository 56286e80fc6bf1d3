import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageParams } from './paging.dto';

export class NotificationParams extends PageParams {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Only the ones not read yet' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}
