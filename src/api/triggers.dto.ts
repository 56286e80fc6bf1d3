import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageParams } from './paging.dto';

export class NextFiresParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  count?: number;
}

export class TriggerHistoryParams extends PageParams {}

export class ListTriggersParams {
  @ApiPropertyOptional({ description: 'Wait until the list reflects this log position (the position a trigger edit answered)' })
  @IsOptional()
  @Matches(/^\d{1,20}\.\d{1,20}$/, { message: 'minPosition must look like 123.456' })
  minPosition?: string;
}

export class PostEventRequest {
  @ApiProperty({ example: 'invoice.paid', description: 'Matched by event triggers with on: "custom" and this type' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'type has 1 to 100 letters, digits, _ . : or -' })
  type!: string;

  @ApiPropertyOptional({ type: Object, description: 'What filters read as `data` and runs get as input.event.data' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class SecretFingerprintParam {
  @ApiProperty() @IsString() @MaxLength(64) fingerprint!: string;
}
