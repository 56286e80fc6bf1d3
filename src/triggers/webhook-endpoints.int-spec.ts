import { migrateReadModels } from '../../projections/migrations';
import { SecretBox } from '../adapters/crypto/secret-box';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { WebhookEndpoints } from './webhook-endpoints';

/** Webhook secrets at rest: sealed under WEBHOOK_SECRETS_KEY when it is set, readable after a key is added. */
describe('WebhookEndpoints secrets at rest', () => {
  let database: TestDatabase;
  const workflowId = '0b6f0c52-6f1e-4a57-9d2b-5f0f6c7e8a90';

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await migrateReadModels(database.handle.db, database.schema);
  });
  afterAll(async () => database?.close());

  const storedText = async (triggerId: string) =>
    JSON.stringify((await database.handle.db.selectFrom('webhook_endpoint').select('secrets').where('trigger_id', '=', triggerId).executeTakeFirstOrThrow()).secrets);

  it('stores a secret sealed when a key is set, and gives it back in the clear to the ingress', async () => {
    const endpoints = new WebhookEndpoints(database.handle.db, new SecretBox('key one'));
    const { endpoint, secret } = await endpoints.create(workflowId, 'sealed');
    expect(await storedText('sealed')).not.toContain(secret.slice(6));
    expect(await storedText('sealed')).toContain('enc:v1:');
    expect((await endpoints.byHookId(endpoint.hookId))?.secrets.map((s) => s.secret)).toEqual([secret]);
  });

  it('reads secrets stored before the key was set, and seals them on the next write', async () => {
    const { secret: old } = await new WebhookEndpoints(database.handle.db).create(workflowId, 'older');
    expect(await storedText('older')).toContain(old);
    const endpoints = new WebhookEndpoints(database.handle.db, new SecretBox('key one'));
    expect((await endpoints.forTrigger(workflowId, 'older'))?.secrets.map((s) => s.secret)).toEqual([old]);
    const rotated = await endpoints.rotate(workflowId, 'older');
    expect(rotated?.endpoint.secrets.map((s) => s.secret)).toEqual([rotated!.secret, old]);
    expect(await storedText('older')).not.toContain(old.slice(6));
  });

  it('keeps a secret sealed under another key sealed (it verifies nothing) and never loses it on a write', async () => {
    await new WebhookEndpoints(database.handle.db, new SecretBox('key one')).create(workflowId, 'rekeyed');
    const before = JSON.parse(await storedText('rekeyed'))[0].secret as string;
    const other = new WebhookEndpoints(database.handle.db, new SecretBox('key two'));
    expect((await other.forTrigger(workflowId, 'rekeyed'))?.secrets.map((s) => s.secret)).toEqual([before]);
    await other.rotate(workflowId, 'rekeyed');
    expect(JSON.parse(await storedText('rekeyed'))[1].secret).toBe(before);
  });
});
