import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, describeInChromium, startChromiumTestBed, type ChromiumTestBed, signInAsOwner } from '../support/browser';
import { as, type TestApp } from '../support/test-app';

/**
 * Run, watch and replay in Chromium against the real engine: start a published workflow from the
 * form generated from its variables, watch its steps change colour live, answer its approval from
 * the inbox, see it finish, then scrub back to the moment it waited. Screenshots in test-artifacts/.
 */
describeInChromium('runs in Chromium', () => {
  let bed: ChromiumTestBed;
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    bed = await startChromiumTestBed();
    ({ t, browser, base } = bed);
  });
  afterEach(async () => {
    await page?.screenshot({ path: join(ARTIFACTS, 'run-last.png') }).catch(() => undefined);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('runs a workflow from the designer, answers its approval, watches it finish and replays it', async () => {
    const token = await t.login();
    const http = as(t.app.getHttpServer(), token);
    const created = await http.post('/api/workflows').send({
      name: 'Expense approval',
      variables: [
        { name: 'employee', type: 'string', required: true },
        { name: 'amount', type: 'number', required: true, default: 250 },
      ],
      steps: [
        { id: 'log_request', name: 'Log the request', type: 'create_task', config: { title: 'Expense of {{ amount }} by {{ employee }}' }, position: { x: 0, y: 120 } },
        { id: 'approve', name: 'Manager approval', type: 'approval', config: { approvers: { role: 'editor' }, message: 'Pay {{ amount }} to {{ employee }}?' }, position: { x: 320, y: 120 } },
        { id: 'pay', name: 'Pay it', type: 'create_task', config: { title: 'Pay {{ employee }}' }, position: { x: 640, y: 20 } },
        { id: 'refuse', name: 'Tell them no', type: 'create_task', config: { title: 'Refused: {{ employee }}' }, position: { x: 640, y: 240 } },
      ],
      edges: [
        { id: 'e1', from: 'log_request', to: 'approve' },
        { id: 'e2', from: 'approve', to: 'pay', label: 'approved' },
        { id: 'e3', from: 'approve', to: 'refuse', label: 'rejected' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const draft = await http.get(`/api/workflows/${id}?minPosition=${created.body.position}`);
    expect(draft.body.validation.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    expect((await http.post(`/api/workflows/${id}/versions`).set('If-Match', `"${draft.body.revision}"`).send({ note: 'First' })).status).toBe(201);

    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInAsOwner(page, base);
    await page.getByTestId('workflow-name').getByText('Expense approval').click();

    // The run form is generated from the variables: a required text and a number with its default.
    await page.getByTestId('run-workflow').click();
    await page.getByTestId('run-form').waitFor();
    expect(await page.getByTestId('run-amount').inputValue()).toBe('250');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-form').getByText('employee is required').waitFor();
    await page.getByTestId('run-employee').fill('Ada');
    await page.getByTestId('run-start').click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);

    // Live: the approval step waits, coloured as waiting.
    await page.locator('[data-testid="node-approve"].run-waiting').waitFor();
    await page.locator('[data-testid="node-log_request"].run-succeeded').waitFor();
    await page.getByTestId('execution-status').getByText('running').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'run-01-waiting.png') });
    const runUrl = page.url();

    // The inbox has it; approve with a comment.
    await page.getByTestId('nav-approvals').click();
    const card = page.getByTestId('approval').filter({ hasText: 'Pay 250 to Ada?' });
    await card.waitFor();
    await card.getByTestId('approval-comment').fill('Fine by me');
    await card.getByTestId('approval-approve').click();
    await page.getByTestId('approvals-empty').waitFor();

    // Back on the run: it finishes along the approved branch.
    await page.goto(runUrl);
    await page.getByTestId('execution-status').getByText('succeeded').waitFor();
    await page.locator('[data-testid="node-pay"].run-succeeded').waitFor();
    await page.locator('[data-testid="node-refuse"].run-skipped').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'run-02-succeeded.png') });

    // Replay: scrub back to the moment the approval was requested.
    await page.getByTestId('replay-start').click();
    const scrubber = page.getByTestId('replay-scrubber');
    const max = Number(await scrubber.getAttribute('max'));
    let waitingAt = 0;
    for (let n = 1; n <= max && !waitingAt; n++) {
      await scrubber.fill(String(n));
      await page.getByTestId('replay-banner').getByText(`event ${n} of`).waitFor();
      await page.waitForTimeout(50);
      if (await page.locator('[data-testid="node-approve"].run-waiting').count()) waitingAt = n;
    }
    expect(waitingAt).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="node-pay"].run-pending').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'run-03-replay.png') });

    // The list shows the run.
    await page.getByTestId('nav-executions').click();
    const row = page.getByTestId('execution-row').filter({ hasText: 'Expense approval' });
    await row.getByText('succeeded').waitFor();
    await page.close();
  });
});
