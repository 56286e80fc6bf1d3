import { loadConfig } from './config';

describe('loadConfig', () => {
  it('given no numbers set, then the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.engineConcurrency).toBe(128);
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.loginRateLimitPerMinute).toBe(5);
    expect(config.accessTokenTtlSeconds).toBe(900);
  });

  it('given whole numbers (an empty one meaning unset), then they are taken', () => {
    const config = loadConfig({ PORT: '0', ENGINE_CONCURRENCY: ' 16 ', RATE_LIMIT_PER_MINUTE: '100000', ACCESS_TOKEN_TTL_SECONDS: '' });
    expect(config.port).toBe(0);
    expect(config.engineConcurrency).toBe(16);
    expect(config.rateLimitPerMinute).toBe(100000);
    expect(config.accessTokenTtlSeconds).toBe(900);
  });

  it.each([
    ['ENGINE_CONCURRENCY', 'many'],
    ['ENGINE_CONCURRENCY', '0'],
    ['ENGINE_CONCURRENCY', '2.5'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['RATE_LIMIT_PER_MINUTE', '1e'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
  ])('given %s=%s, then the start stops with the variable named', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be a whole number`));
  });
});
