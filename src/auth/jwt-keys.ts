import { createSecretKey } from 'node:crypto';

/** The signing secret and token lifetimes, resolved once at start (see loadJwtSecret). */
export class JwtKeys {
  /**
   * The secret as a KeyObject, made once, for signing and verifying: given a string or Buffer,
   * jsonwebtoken first tries to parse it as a public key and catches the failure, on every call
   * (3% of the CPU of a busy API process). Typed as a string because @nestjs/jwt's option types say
   * `string | Buffer`; it hands the value to jsonwebtoken as it is, which takes a KeyObject.
   */
  readonly signingKey: string;

  constructor(
    readonly secret: string,
    readonly accessTtlSeconds: number,
    readonly refreshTtlSeconds: number,
  ) {
    this.signingKey = createSecretKey(Buffer.from(secret, 'utf8')) as unknown as string;
  }
}
