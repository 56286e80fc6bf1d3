import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'bluebird:public';

/** A route anyone may call without a token (login, health, metrics, signed webhooks, public links). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
