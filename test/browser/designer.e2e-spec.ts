import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { ARTIFACTS, allChangesSaved, describeInChromium, startChromiumTestBed, type ChromiumTestBed, signInAsOwner } from '../support/browser';
import { as, type TestApp } from '../support/test-app';

/**
 * The designer in a real Chromium against the real backend: create a workflow, drag three steps from
 * the palette, connect them, configure one wrongly and see the badge, fix it, publish, publish again,
 * compare the versions and roll back to version 1. Screenshots land in test-artifacts/.
 */
describeInChromium('designer in Chromium', () => {
  let bed: ChromiumTestBed;
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    bed = await startChromiumTestBed();
    ({ t, browser, base } = bed);
  });
  afterAll(async () => {
    await bed?.close();
  });

  /** Drags with real pointer moves (foblex/flow listens to pointer events). */
  async function drag(page: Page, from: Locator, to: { x: number; y: number } | Locator): Promise<void> {
    await from.scrollIntoViewIfNeeded();
    const a = await from.boundingBox();
    if (!a) throw new Error('drag source is not visible');
    let target: { x: number; y: number };
    if ('boundingBox' in to) {
      const b = await to.boundingBox();
      if (!b) throw new Error('drag target is not visible');
      target = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    } else target = to;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 4, { steps: 3 });
    await page.mouse.move(target.x, target.y, { steps: 12 });
    await page.mouse.up();
  }

  let page: Page;
  afterEach(async () => {
    // On failure the last state of the page is the best clue.
    await page?.screenshot({ path: join(ARTIFACTS, 'designer-last.png') }).catch(() => undefined);
  });

  it('creates a workflow, draws and validates it, publishes and rolls back', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await signInAsOwner(page, base);
    await page.getByTestId('workspace-switcher').waitFor();

    // Create a workflow: the list's empty state, then the dialog.
    await page.getByTestId('workflows-empty').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-01-empty-list.png') });
    await page.getByTestId('new-workflow').click();
    await page.getByTestId('new-workflow-name').fill('Customer onboarding');
    await page.getByTestId('create-workflow').click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    const workflowId = page.url().split('/').pop()!;
    const canvas = page.getByTestId('canvas');
    await canvas.waitFor();
    await page.getByTestId('palette-create_task').waitFor();
    // The canvas takes drops once @foblex/flow has laid it out (a person sees it appear).
    await page.locator('bb-workflow-canvas[data-rendered-steps="0"]').waitFor();

    // Drag three steps from the palette.
    const box = (await canvas.boundingBox())!;
    await drag(page, page.getByTestId('palette-create_task'), { x: box.x + 160, y: box.y + 220 });
    await page.getByTestId('node-create_task_1').waitFor();
    await drag(page, page.getByTestId('palette-delay'), { x: box.x + 470, y: box.y + 220 });
    await page.getByTestId('node-delay_1').waitFor();
    await drag(page, page.getByTestId('palette-http_request'), { x: box.x + 780, y: box.y + 220 });
    await page.getByTestId('node-http_request_1').waitFor();
    await allChangesSaved(page);

    // Connect them port to port.
    await drag(page, page.getByTestId('port-out-create_task_1'), page.getByTestId('port-in-delay_1'));
    await page.getByTestId('edge-e_create_task_1_delay_1').waitFor({ state: 'attached' });
    await drag(page, page.getByTestId('port-out-delay_1'), page.getByTestId('port-in-http_request_1'));
    await page.getByTestId('edge-e_delay_1_http_request_1').waitFor({ state: 'attached' });
    await allChangesSaved(page);

    // New steps lack their required config: the server says so, and badges show it on the canvas.
    await page.getByTestId('step-badge-create_task_1').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-02-three-steps.png') });

    // Configure each step through the generated forms.
    await page.getByTestId('node-create_task_1').click();
    await page.getByTestId('config-title').fill('Welcome {{ input.customer }}');
    await page.getByTestId('config-title').press('Tab');
    await allChangesSaved(page);
    await page.getByTestId('node-delay_1').click();
    await page.getByTestId('config-durationMs').fill('1000');
    await page.getByTestId('config-durationMs').press('Tab');
    await allChangesSaved(page);

    // One step configured wrongly: the badge appears on it.
    await page.getByTestId('node-http_request_1').click();
    await page.getByTestId('config-url').fill('not a url');
    await page.getByTestId('config-url').press('Tab');
    await allChangesSaved(page);
    const badge = page.getByTestId('step-badge-http_request_1');
    await badge.waitFor();
    // The task's title was saved before: its badge goes once the server's validation of that edit is back.
    await page.getByTestId('step-badge-create_task_1').waitFor({ state: 'detached' });
    await page.getByTestId('tab-issues').click();
    await page.getByTestId('issue-list').getByText(/url/i).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-03-invalid-config.png') });

    // Jump from the issue list to the step, and fix it.
    await page.getByTestId('issue').first().click();
    await page.getByTestId('config-url').fill('https://example.com/hooks/onboarding');
    await page.getByTestId('config-url').press('Tab');
    await allChangesSaved(page);
    await badge.waitFor({ state: 'detached' });
    await page.getByTestId('issues-button').getByText('Valid').waitFor();

    // What the canvas shows is what the server stored, edit by edit.
    const token = await t.login();
    const stored = await as(t.app.getHttpServer(), token).get(`/api/workflows/${workflowId}`);
    expect(stored.body.definition.steps.map((s: { id: string }) => s.id).sort()).toEqual(['create_task_1', 'delay_1', 'http_request_1']);
    expect(stored.body.definition.edges).toHaveLength(2);
    expect(stored.body.validation.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);

    // Publish version 1.
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-note').fill('First version');
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('published-version').getByText('v1 published').waitFor();

    // Change it and publish version 2: rename a step and drop the delay.
    await page.getByTestId('fit').click();
    await page.waitForTimeout(300);
    await page.getByTestId('node-create_task_1').click();
    await page.getByTestId('tab-step').click();
    await page.getByTestId('step-name').fill('Create welcome task');
    await page.getByTestId('step-name').press('Tab');
    await allChangesSaved(page);
    await page.getByTestId('node-delay_1').click();
    await page.keyboard.press('Delete');
    await page.getByTestId('node-delay_1').waitFor({ state: 'detached' });
    await allChangesSaved(page);
    // Undo brings it back with its connections; redo removes it again.
    await page.getByTestId('undo').click();
    await page.getByTestId('node-delay_1').waitFor();
    await allChangesSaved(page);
    await page.getByTestId('redo').click();
    await page.getByTestId('node-delay_1').waitFor({ state: 'detached' });
    await allChangesSaved(page);
    await drag(page, page.getByTestId('port-out-create_task_1'), page.getByTestId('port-in-http_request_1'));
    await page.getByTestId('edge-e_create_task_1_http_request_1').waitFor({ state: 'attached' });
    await allChangesSaved(page);
    await page.getByTestId('issues-button').getByText('Valid').waitFor();
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-note').fill('Without the wait');
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('published-version').getByText('v2 published').waitFor();

    // The diff of v1 -> v2 is painted on the canvas.
    await page.getByTestId('tab-versions').click();
    await page.getByTestId('diff-2').click();
    const banner = page.getByTestId('diff-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/1 changed.*1 removed/s);
    await page.locator('[data-testid="node-delay_1"].removed').waitFor();
    await page.locator('[data-testid="node-create_task_1"].changed').waitFor();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-04-diff.png') });
    await page.getByTestId('close-diff').click();

    // Roll back to version 1: published as v3, and the draft has the delay again.
    await page.getByTestId('rollback-1').click();
    await page.getByTestId('confirm-rollback-1').click();
    await page.getByTestId('published-version').getByText('v3 published').waitFor();
    await page.getByTestId('node-delay_1').waitFor();
    await page.getByTestId('version-3').getByText('rollback of v1').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-05-rolled-back.png') });

    // Someone else edits the draft meanwhile: the next edit here is refused (412), the draft reloads, and we are told.
    const current = await as(t.app.getHttpServer(), token).get(`/api/workflows/${workflowId}`);
    const elsewhere = await as(t.app.getHttpServer(), token)
      .put(`/api/workflows/${workflowId}/steps/create_task_1/name`)
      .set('If-Match', `"${current.body.revision}"`)
      .send({ name: 'Renamed elsewhere' });
    expect(elsewhere.status).toBe(200);
    await page.getByTestId('fit').click();
    await page.getByTestId('node-delay_1').click();
    await page.getByTestId('tab-step').click();
    await page.getByTestId('step-name').fill('Wait a second');
    await page.getByTestId('step-name').press('Tab');
    await page.getByTestId('toast').getByText('Someone else changed this workflow').waitFor();
    await page.getByTestId('node-create_task_1').getByText('Renamed elsewhere').waitFor();
    expect(await page.getByTestId('node-delay_1').textContent()).not.toContain('Wait a second');
    await page.screenshot({ path: join(ARTIFACTS, 'designer-06-conflict.png') });

    // The list: the workflow with its version; duplicate, archive the copy, find it under Archived.
    await page.getByTestId('nav-workflows').click();
    const row = page.getByTestId('workflow-row').filter({ hasText: 'Customer onboarding' });
    await row.waitFor();
    expect(await row.textContent()).toContain('v3');
    await row.getByTestId('duplicate-workflow').click();
    const copy = page.getByTestId('workflow-row').filter({ hasText: 'Copy of Customer onboarding' });
    await copy.waitFor();
    await copy.getByTestId('archive-workflow').click();
    await copy.waitFor({ state: 'detached' });
    await page.getByTestId('workflow-status-filter').selectOption('archived');
    await page.getByTestId('workflow-row').filter({ hasText: 'Copy of Customer onboarding' }).waitFor();
    await page.getByTestId('workflow-status-filter').selectOption('active');

    // Export as JSON and import it back: a second workflow of that name, with the same steps.
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-workflow').click()]);
    const exported = join(ARTIFACTS, 'exported-workflow.json');
    await download.saveAs(exported);
    await page.getByTestId('import-file').setInputFiles(exported);
    await page.getByTestId('toast').getByText('Imported').waitFor();
    const originals = page.getByTestId('workflow-row').filter({ hasText: 'Customer onboarding' }).filter({ hasNotText: 'Copy' });
    await originals.nth(1).waitFor(); // the list reloads after the toast
    await expect(originals.count()).resolves.toBe(2);

    // Search narrows the list.
    await page.getByTestId('workflow-search').fill('nothing like this');
    await page.getByTestId('workflows-empty').waitFor();
    await page.getByTestId('workflow-search').fill('onboarding');
    await page.getByTestId('workflow-row').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-07-list.png') });
    // The browser logs the refused edit (412) itself; nothing else may go wrong.
    expect(consoleErrors.filter((e) => !/favicon|status of 412/.test(e))).toEqual([]);
    await page.close();
  });
});
