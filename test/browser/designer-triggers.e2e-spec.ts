import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { signWebhook } from '../../src/adapters/crypto/webhook-signature';
import { ARTIFACTS, allChangesSaved, describeInChromium, startChromiumTestBed, type ChromiumTestBed, signInAsOwner } from '../support/browser';
import { as, type TestApp } from '../support/test-app';

/**
 * The designer's Triggers tab and join mode in a real Chromium against the real backend: a refused config shows the
 * server's problem beside the form; a cron trigger shows its next runs in its zone and ours; a webhook trigger shows
 * its URL and secret once; disable, enable, rotate and retire; a join mode on a step with two inputs (edits after
 * the trigger commands must not meet a 412); publish, deliver a signed webhook with the secret the page showed, and
 * follow the fire history to the run; a published schedule edited in place keeps its id and is a draft edit.
 * Screenshots in test-artifacts/designer-triggers-*.png.
 */
describeInChromium('designer triggers in Chromium', () => {
  let bed: ChromiumTestBed;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let editContext: BrowserContext;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    bed = await startChromiumTestBed();
    ({ t, browser, base } = bed);
  });
  afterEach(async () => {
    await page?.screenshot({ path: join(ARTIFACTS, 'designer-triggers-last.png') }).catch(() => undefined);
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await editContext?.close().catch(() => undefined);
    await bed?.close();
  });

  /** A new page of `browserContext`, signed in and on the workflow once its step `nodeId` is drawn; answers the console errors it will collect. */
  async function openWorkflow(browserContext: BrowserContext, name: string, id: string, nodeId: string): Promise<string[]> {
    page = await browserContext.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await signInAsOwner(page, base);
    await page.getByTestId('workflow-name').getByText(name).click();
    await page.waitForURL(new RegExp(`/workflows/${id}$`));
    await page.getByTestId(`node-${nodeId}`).waitFor();
    return consoleErrors;
  }

  async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const trigger = (name: string): Locator => page.getByTestId('trigger-list').locator(`li[data-trigger-name="${name}"]`);

  it('adds, previews, shows a secret once, switches triggers and sets a join mode', async () => {
    const token = await t.login();
    const http = t.app.getHttpServer();
    const api = as(http, token);
    const created = await api.post('/api/workflows').send({
      name: 'Order intake',
      steps: [
        { id: 'left', name: 'Check stock', type: 'create_task', config: { title: 'Check stock' }, position: { x: 0, y: 0 } },
        { id: 'right', name: 'Check credit', type: 'create_task', config: { title: 'Check credit' }, position: { x: 0, y: 220 } },
        { id: 'merge', name: 'Confirm order', type: 'create_task', config: { title: 'Confirm order' }, position: { x: 340, y: 110 } },
      ],
      edges: [
        { id: 'e_left', from: 'left', to: 'merge' },
        { id: 'e_right', from: 'right', to: 'merge' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const triggersOf = async () => (await api.get(`/api/workflows/${id}/triggers`)).body.items as { id: string; name: string; enabled: boolean; status: string }[];

    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const consoleErrors = await openWorkflow(context, 'Order intake', id, 'merge');

    // The tab: empty state and the note that triggers fire once published.
    await page.getByTestId('tab-triggers').click();
    await page.getByTestId('triggers-empty').waitFor();
    expect(await page.getByTestId('triggers-publish-note').textContent()).toMatch(/publish/i);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-01-empty.png') });

    // A schedule the server refuses (minute 61): its problem shows beside the form, nothing is added.
    await page.getByTestId('trigger-kind').selectOption('cron');
    await page.getByTestId('trigger-name').fill('Weekday report');
    await page.getByTestId('trigger-cron-expression').fill('61 9 * * 1-5');
    await page.getByTestId('trigger-cron-zone').fill('Europe/Berlin');
    await page.getByTestId('trigger-add').click();
    const problem = page.getByTestId('trigger-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/expression|minute|61/i);
    expect(await triggersOf()).toEqual([]);

    // Fixed: added to the draft, its next five runs in Berlin time and ours.
    await page.getByTestId('trigger-cron-expression').fill('0 9 * * 1-5');
    await page.getByTestId('trigger-add').click();
    await problem.waitFor({ state: 'detached' });
    const cron = trigger('Weekday report');
    await cron.waitFor();
    expect(await cron.getByTestId('trigger-status').textContent()).toContain('draft');
    const runs = cron.getByTestId('trigger-next-runs');
    await runs.getByTestId('next-run').nth(4).waitFor();
    expect(await runs.getByTestId('next-run').count()).toBe(5);
    expect(await runs.locator('thead').textContent()).toContain('Europe/Berlin');
    expect(await runs.getByTestId('next-run').first().textContent()).toMatch(/09:00/);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-02-cron.png') });

    // A webhook: its URL and secret are shown once, with copy buttons.
    await page.getByTestId('trigger-kind').selectOption('webhook');
    await page.getByTestId('trigger-name').fill('Inbound orders');
    await page.getByTestId('trigger-add').click();
    const once = page.getByTestId('secret-once');
    await once.waitFor();
    expect(await once.textContent()).toMatch(/shown only once/i);
    const url = await page.getByTestId('secret-once-url').inputValue();
    const secret = await page.getByTestId('secret-once-value').inputValue();
    expect(url).toMatch(new RegExp(`^${base}/api/hooks/[A-Za-z0-9_-]+$`));
    expect(secret).toMatch(/^whsec_/);
    await page.getByTestId('secret-once-copy').click();
    await page.getByTestId('toast').getByText(/Secret copied|Could not copy/).waitFor();
    await trigger('Inbound orders').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-03-webhook-secret.png') });
    await page.getByTestId('secret-once-done').click();
    await once.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    const hook = trigger('Inbound orders');
    expect(await hook.getByTestId('trigger-url').inputValue()).toBe(url);

    // Disable and enable (at once, no publish).
    await hook.getByTestId('trigger-disable').click();
    await hook.getByTestId('trigger-enable').waitFor();
    expect((await triggersOf()).find((x) => x.name === 'Inbound orders')?.enabled).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-04-disabled.png') });
    await hook.getByTestId('trigger-enable').click();
    await hook.getByTestId('trigger-disable').waitFor();
    expect((await triggersOf()).find((x) => x.name === 'Inbound orders')?.enabled).toBe(true);

    // Rotate the secret (shown once again), then retire the first one.
    // A trigger just added opens with its details.
    await hook.locator('[data-testid="trigger-details"][aria-expanded="true"]').waitFor();
    await hook.getByTestId('trigger-history-empty').waitFor();
    await hook.getByTestId('secret-rotate').click();
    await once.waitFor();
    const rotated = await page.getByTestId('secret-once-value').inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByTestId('secret-once-done').click();
    await until(async () => (await hook.getByTestId('trigger-secrets').locator('li').count()) === 2);
    await hook.getByTestId('secret-retire').last().click();
    await until(async () => (await hook.getByTestId('trigger-secrets').locator('li').count()) === 1);

    // Join mode on the step with two inputs (an edit after the trigger commands: no 412 may follow).
    await page.getByTestId('fit').click();
    await page.getByTestId('node-left').click();
    expect(await page.getByTestId('step-join').count()).toBe(0);
    await page.getByTestId('node-merge').click();
    await page.getByTestId('step-join').selectOption('any');
    await allChangesSaved(page);
    await page.getByTestId('step-join-hint').getByText('as soon as one').waitFor();
    const storedJoin = async () => (await api.get(`/api/workflows/${id}`)).body.definition.steps.find((s: { id: string }) => s.id === 'merge').join as unknown;
    await until(async () => (await storedJoin()) === 'any');
    await page.getByTestId('step-join').selectOption('count');
    await page.getByTestId('step-join-n').waitFor();
    await allChangesSaved(page);
    await until(async () => (await storedJoin()) === 2);
    expect(await page.getByTestId('toast').filter({ hasText: 'Someone else changed' }).count()).toBe(0);
    await page.getByTestId('step-join-hint').evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-05-join.png') });
    await page.getByTestId('step-join').selectOption('any');
    await allChangesSaved(page);

    // Publish: the triggers go live.
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-note').fill('With triggers');
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('published-version').getByText('v1 published').waitFor();
    await until(async () => (await triggersOf()).every((x) => x.status === 'live'));
    await page.getByTestId('tab-triggers').click();
    await trigger('Inbound orders').getByTestId('trigger-status').getByText('live').waitFor();
    await trigger('Weekday report').getByTestId('trigger-status').getByText('live').waitFor();

    // A delivery signed with the rotated secret the page showed starts a run; the history links to it.
    const body = Buffer.from(JSON.stringify({ order: 42 }));
    const msgId = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    const delivered = await request(http)
      .post(new URL(url).pathname)
      .set({ 'webhook-id': msgId, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(rotated, msgId, ts, body), 'content-type': 'application/json' })
      .serialize((b: unknown) => b as string)
      .send(body as unknown as string);
    expect(delivered.status).toBe(202);
    const executionId = delivered.body.executionId as string;
    const hookId = (await triggersOf()).find((x) => x.name === 'Inbound orders')!.id;
    await until(async () => ((await api.get(`/api/workflows/${id}/triggers/${hookId}/history`)).body.items as unknown[]).length === 1, 15_000);
    const live = trigger('Inbound orders');
    await live.getByTestId('trigger-details').click();
    const link = live.getByTestId('trigger-history').locator('a');
    await link.waitFor();
    await link.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-06-history.png') });
    await link.click();
    await page.waitForURL(new RegExp(`/executions/${executionId}$`));
    await page.getByTestId('execution-status').getByText('succeeded').waitFor();
    await page.locator('[data-testid="node-merge"].run-succeeded').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-07-run.png') });

    expect(consoleErrors.filter((e) => !/favicon|status of 422/.test(e))).toEqual([]);
    await page.close();
  });

  it('edits a published schedule in place: same trigger, new expression and zone, a draft edit', async () => {
    const token = await t.login();
    const api = as(t.app.getHttpServer(), token);
    const created = await api.post('/api/workflows').send({
      name: 'Morning digest',
      steps: [{ id: 'digest', name: 'Send digest', type: 'create_task', config: { title: 'Digest' }, position: { x: 0, y: 0 } }],
      edges: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const added = await api.post(`/api/workflows/${id}/triggers`).send({ kind: 'cron', name: 'Every minute', config: { expression: '* * * * *', zone: 'UTC' } });
    expect(added.status).toBe(201);
    const triggerId = added.body.triggerId as string;
    expect((await api.post(`/api/workflows/${id}/versions`).send({ note: 'every minute' })).status).toBe(201);
    type Item = { id: string; name: string; kind: string; config: Record<string, unknown>; status: string; inDraft: boolean };
    const triggersOf = async () => (await api.get(`/api/workflows/${id}/triggers`)).body.items as Item[];
    await until(async () => (await triggersOf()).some((x) => x.id === triggerId && x.status === 'live'));

    editContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const consoleErrors = await openWorkflow(editContext, 'Morning digest', id, 'digest');
    await page.getByTestId('tab-triggers').click();
    const row = trigger('Every minute');
    await row.getByTestId('trigger-status').getByText('live').waitFor();

    // Edit opens the form in the row, filled in; the kind cannot change and the add form steps aside.
    await page.getByTestId(`trigger-edit-${triggerId}`).click();
    const form = row.getByTestId('trigger-form');
    await form.waitFor();
    expect(await page.getByTestId('trigger-add').count()).toBe(0);
    expect(await form.getByTestId('trigger-name').inputValue()).toBe('Every minute');
    expect(await form.getByTestId('trigger-cron-expression').inputValue()).toBe('* * * * *');
    expect(await form.getByTestId('trigger-cron-zone').inputValue()).toBe('UTC');
    expect(await form.getByTestId('trigger-kind').isDisabled()).toBe(true);
    expect(await form.getByTestId('trigger-edit-note').textContent()).toMatch(/v1 keeps firing/);

    // An hour the server refuses: its problem shows in the form, the trigger stays as it was.
    await form.getByTestId('trigger-cron-expression').fill('0 25 * * 1-5');
    await form.getByTestId('trigger-save').click();
    const problem = form.getByTestId('trigger-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Not saved/);
    expect((await triggersOf()).find((x) => x.id === triggerId)?.config).toMatchObject({ expression: '* * * * *' });

    // Weekdays at nine in Berlin, renamed: saved in place.
    await form.getByTestId('trigger-name').fill('Weekday mornings');
    await form.getByTestId('trigger-cron-expression').fill('0 9 * * 1-5');
    await form.getByTestId('trigger-cron-zone').fill('Europe/Berlin');
    await form.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-08-edit-form.png') });
    await form.getByTestId('trigger-save').click();
    await page.getByTestId('toast').getByText('Weekday mornings changed in the draft: publish to make it apply.').waitFor();
    await page.getByTestId('trigger-form').locator('[data-testid="trigger-add"]').waitFor();
    expect(await page.getByTestId('trigger-save').count()).toBe(0);

    const edited = (await triggersOf()).filter((x) => x.kind === 'cron');
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({
      id: triggerId,
      name: 'Weekday mornings',
      inDraft: true,
      status: 'live',
      config: { expression: '0 9 * * 1-5', zone: 'Europe/Berlin', missedRuns: 'skip', input: {} },
    });
    const renamed = trigger('Weekday mornings');
    await renamed.waitFor();
    expect(await renamed.getAttribute('data-testid')).toBe(`trigger-${triggerId}`);
    expect(await renamed.textContent()).toContain('0 9 * * 1-5 · Europe/Berlin');
    // Until it is published the old schedule fires, and the row says so.
    expect(await renamed.textContent()).toContain('v1 has “Every minute”: * * * * * · UTC; your edit applies once you publish.');
    await renamed.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(ARTIFACTS, 'designer-triggers-09-edited.png') });

    // Cancel sends nothing and gives the add form back.
    await page.getByTestId(`trigger-edit-${triggerId}`).click();
    await renamed.getByTestId('trigger-cron-expression').fill('@daily');
    await renamed.getByTestId('trigger-edit-cancel').click();
    await page.getByTestId('trigger-add').waitFor();
    expect((await triggersOf()).find((x) => x.id === triggerId)?.config).toMatchObject({ expression: '0 9 * * 1-5' });

    expect(consoleErrors.filter((e) => !/favicon|status of 422/.test(e))).toEqual([]);
  });
});
