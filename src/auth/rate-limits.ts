import { loadConfig } from '../config';

/**
 * Login attempts per minute, per address and e-mail (stricter than the general limit).
 * Read when the route is declared, so LOGIN_RATE_LIMIT_PER_MINUTE applies from start.
 */
export const loginThrottle = { default: { limit: () => loadConfig().loginRateLimitPerMinute, ttl: 60_000 } };
