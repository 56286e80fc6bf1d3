/** The signing secret and token lifetimes, resolved once at start (see loadJwtSecret). */
export class JwtKeys {
  constructor(
    readonly secret: string,
    readonly accessTtlSeconds: number,
    readonly refreshTtlSeconds: number,
  ) {}
}
