import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AccessService } from './access.service';
import type { AuthenticatedUser, JwtClaims } from './auth.types';
import { JwtKeys } from './jwt-keys';

/** Bearer access tokens: signature, expiry and type checked by passport-jwt; then the user must still be active. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeys,
    private readonly access: AccessService,
  ) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: keys.secret, algorithms: ['HS256'], ignoreExpiration: false });
  }

  async validate(claims: JwtClaims): Promise<AuthenticatedUser> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') throw new UnauthorizedException('Not an access token');
    const user = await this.access.activeUser(claims.sub);
    if (!user) throw new UnauthorizedException('The account does not exist or is disabled');
    return user;
  }
}
