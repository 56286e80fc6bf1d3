import request from 'supertest';
import type { App } from 'supertest/types';
import { ACTION_TYPES } from '@contracts';
import { createActionSchemaCompiler, validateActionConfig } from '../src/domain/workflow/action-config.validator';
import { as, startTestApp, type TestApp } from './support/test-app';

/** GET /api/actions: the catalogue the designer builds its palette and config forms from. */
describe('the action catalogue over HTTP', () => {
  let t: TestApp;
  let http: App;

  beforeAll(async () => {
    t = await startTestApp();
    http = t.app.getHttpServer();
  }, 120_000);
  afterAll(async () => t?.close());

  it('serves every action type, with what the palette, the forms and the engine need, to a signed-in user', async () => {
    const res = await as(http, await t.login()).get('/api/actions').expect(200);
    expect(res.body.groups).toEqual(['Tasks', 'Communication', 'Integrations', 'AI', 'Files', 'Human', 'Logic', 'Data', 'Flow']);
    const actions = res.body.actions as Record<string, unknown>[];
    expect(actions.map((a) => a.type)).toEqual([...ACTION_TYPES]);
    for (const action of actions) {
      expect(Object.keys(action).sort()).toEqual(['aliases', 'branches', 'configSchema', 'defaults', 'description', 'group', 'icon', 'outputs', 'title', 'type']);
    }

    const sendEmail = actions.find((a) => a.type === 'send_email') as {
      aliases: string[];
      configSchema: { properties: Record<string, { 'x-expression'?: unknown }> };
      defaults: { retryPolicy: { maxAttempts: number } };
    };
    expect(sendEmail.aliases).toEqual(['SEND_EMAIL']);
    expect(sendEmail.configSchema.properties.to['x-expression']).toBe(true);
    expect(sendEmail.defaults.retryPolicy.maxAttempts).toBeGreaterThan(1);
    expect(actions.find((a) => a.type === 'condition')?.branches).toEqual(['true', 'false']);
  });

  it('serves schemas that validate exactly like the server does', async () => {
    const res = await as(http, await t.login()).get('/api/actions').expect(200);
    const served = (res.body.actions as { type: string; configSchema: unknown }[]).find((a) => a.type === 'send_email')!;
    // The schema as the designer receives it, compiled on its own, agrees with the backend on the seed's step.
    const validate = createActionSchemaCompiler().compile(served.configSchema as object);
    expect(validate({ template: 'welcome_email', to: '{{customer_email}}' })).toBe(true);
    expect(validate({ to: '{{customer_email}}' })).toBe(false);
    expect(validateActionConfig('send_email', { to: '{{customer_email}}' }).ok).toBe(false);
  });

  it('answers 401 as a problem to a caller who is not signed in', async () => {
    const res = await request(http).get('/api/actions').expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
