/**
 * Benchmark: the designer in headless Chromium on a 300-step, 400-edge workflow.
 *  - open: from navigation to every step and every connection drawn (the canvas reports
 *    `data-rendered-steps` when @foblex/flow has rendered; edges are counted as drawn paths);
 *  - drag: a step dragged for ~2 s with pointer moves every 16 ms; frame times are the intervals
 *    between animation frames during the drag.
 * Baselines in the same run: opening an empty workflow (the app and canvas without content), and the
 * frame times of the idle canvas (what the machine gives with nothing to do).
 * Targets (issue 7): open under 1.5 s, drag frame p95 under 33 ms.
 *
 *   npm run build:designer && node scripts/build-if-stale.js --api && node dist/bench/designer.js
 *   BENCH_STEPS=300 BENCH_EDGES=400 BENCH_RUNS=5 CHROMIUM_PATH=/usr/bin/chromium node dist/bench/designer.js
 *   BENCH_BREAKDOWN=1 (the page's marks and requests for each open), BENCH_TRACE=/tmp/trace.json (one traced open)
 *
 * Runs the all-in-one app in this process on PGlite in memory (no servers needed).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { INestApplication } from '@nestjs/common';
import { ALL_ROLES, loadConfig } from '../src/config';
import { createApp } from '../src/bootstrap';
import { openInfrastructure } from '../src/infrastructure';
import { percentile } from './support';

const STEPS = Number(process.env.BENCH_STEPS ?? 300);
const EDGES = Number(process.env.BENCH_EDGES ?? 400);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = { email: 'bench@designer.local', password: 'bench-password-1' };
const TARGET_OPEN_MS = 1500;
const TARGET_FRAME_P95_MS = 33;
/** BENCH_BREAKDOWN=1: after each open of the big workflow, print where the time went (marks and requests). */
const BREAKDOWN = process.env.BENCH_BREAKDOWN === '1';

/** A grid of steps, a chain through all of them plus forward edges: valid (one start, no cycle, all reachable). */
function bigDefinition(steps: number, edges: number) {
  const cols = 20;
  const list = Array.from({ length: steps }, (_, i) => ({
    id: `s${i}`,
    name: `Step ${i}`,
    type: i % 3 === 0 ? 'create_task' : i % 3 === 1 ? 'send_email' : 'transform',
    config:
      i % 3 === 0
        ? { title: `Task ${i} for {{ input.customer }}` }
        : i % 3 === 1
          ? { to: '{{ input.email }}', subject: `Notice ${i}`, body: 'Hello' }
          : { assignments: { [`v${i}`]: `input.amount * ${i}` } },
    position: { x: (i % cols) * 300, y: Math.floor(i / cols) * 160 },
  }));
  const edgeList: { id: string; from: string; to: string }[] = [];
  for (let i = 1; i < steps; i++) edgeList.push({ id: `e${edgeList.length}`, from: `s${i - 1}`, to: `s${i}` });
  for (let i = 0; edgeList.length < edges && i + cols < steps; i += 1) {
    if (i % 3 === 0) edgeList.push({ id: `e${edgeList.length}`, from: `s${i}`, to: `s${i + cols}` });
  }
  for (let i = 0; edgeList.length < edges && i + 2 < steps; i++) edgeList.push({ id: `e${edgeList.length}`, from: `s${i}`, to: `s${i + 2}` });
  return { steps: list, edges: edgeList.slice(0, edges) };
}

async function api(base: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as Record<string, any>;
}

/** Milliseconds from navigation start until the canvas has drawn `steps` nodes and `edges` connections. */
async function openTime(page: Page, url: string, steps: number, edges: number): Promise<number> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    ({ steps, edges }) => {
      // Runs in the page (the backend's tsconfig has no DOM types, hence `any`).
      const w = globalThis as any;
      const doc = w.document;
      const canvas = doc.querySelector('bb-workflow-canvas');
      const rendered = canvas?.getAttribute('data-rendered-steps') === String(steps);
      const paths: any[] = [...doc.querySelectorAll('f-connection path.f-connection-path')];
      const drawn = paths.filter((p) => (p.getAttribute('d') ?? '').length > 10).length;
      if (rendered && drawn >= edges && doc.querySelectorAll('[data-step-id]').length === steps) w.__bbOpenedAt ??= performance.now();
      return w.__bbOpenedAt ?? false;
    },
    { steps, edges },
    { polling: 'raf', timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

/** The page's own marks (bb:*) and its requests (start → end, ms from navigation start), one line. */
async function breakdown(page: Page): Promise<string> {
  return page.evaluate(() => {
    const perf = (globalThis as any).performance;
    const marks = perf.getEntriesByType('mark').map((m: any) => `${m.name.replace(/^bb:/, '')} ${Math.round(m.startTime)}`);
    const nav = perf.getEntriesByType('navigation')[0];
    const reqs = perf
      .getEntriesByType('resource')
      .map((r: any) => `${String(r.name).replace(/^https?:\/\/[^/]+/, '').replace(/\/api\/workflows\/[0-9a-f-]{36}/, '/wf').replace(/\?.*$/, '')} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`);
    return [`dcl ${Math.round(nav?.domContentLoadedEventEnd ?? 0)}`, ...marks, '|', ...reqs].join('; ');
  });
}

/** Frame intervals (ms) while `action` runs. */
async function frameTimes(page: Page, action: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const w = globalThis as any;
    w.__bbFrames = [];
    w.__bbStop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__bbFrames.push(t - last);
      last = t;
      if (!w.__bbStop) w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame((t: number) => {
      last = t;
      w.requestAnimationFrame(tick);
    });
  });
  await action();
  return page.evaluate(() => {
    const w = globalThis as any;
    w.__bbStop = true;
    return w.__bbFrames;
  });
}

async function dragStep(page: Page, stepId: string, moves: number): Promise<void> {
  const node = page.locator(`[data-step-id="${stepId}"]`);
  const box = await node.boundingBox();
  if (!box) throw new Error(`step ${stepId} is not on screen`);
  // Grab the middle of the step (at a fitted zoom a step is only ~60 px wide; its edges are ports).
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= moves; i++) {
    await page.mouse.move(x + Math.sin(i / 10) * 150, y + Math.cos(i / 14) * 90);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
}

const fmt = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const config = {
    ...loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn' }),
    databaseUrl: undefined,
    dataDir: undefined,
    amqpUrl: undefined,
    adminEmail: OWNER.email,
    adminPassword: OWNER.password,
    designerDir: resolve(process.env.DESIGNER_DIR ?? 'dist/designer/browser'),
  };
  if (!existsSync(resolve(config.designerDir, 'index.html'))) throw new Error('Build the designer first: npm run build:designer');
  const infra = await openInfrastructure(config, { processName: 'bench-designer' });
  let app: INestApplication | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    app = await createApp(infra, ALL_ROLES);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const tokens = await api(base, '/api/auth/login', { method: 'POST', body: OWNER });
    const token = tokens.accessToken as string;

    const definition = bigDefinition(STEPS, EDGES);
    const big = await api(base, '/api/workflows', { method: 'POST', token, body: { name: `Bench ${STEPS} steps`, ...definition } });
    const empty = await api(base, '/api/workflows', { method: 'POST', token, body: { name: 'Bench empty' } });
    console.log(`workflow: ${definition.steps.length} steps, ${definition.edges.length} edges; Chromium ${browser.version()}; ${RUNS} runs each`);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(
      ([access, refresh]) => {
        const storage = (globalThis as any).localStorage;
        storage.setItem('bluebird.accessToken', access!);
        storage.setItem('bluebird.refreshToken', refresh!);
      },
      [tokens.accessToken as string, tokens.refreshToken as string],
    );
    const page = await context.newPage();
    // Warm-up: caches, lazy chunk, theme.
    await openTime(page, `${base}/workflows/${empty.id}`, 0, 0).catch(() => undefined);
    await openTime(page, `${base}/workflows/${big.id}`, STEPS, EDGES);

    const opens: number[] = [];
    const baselines: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      baselines.push(await openTime(page, `${base}/workflows/${empty.id}`, 0, 0));
      opens.push(await openTime(page, `${base}/workflows/${big.id}`, STEPS, EDGES));
      if (BREAKDOWN) console.log(`  breakdown: ${await breakdown(page)}`);
    }
    if (process.env.BENCH_TRACE) {
      // One more open under Chromium's tracer (devtools timeline + JS sampling), for a look at where the time goes;
      // from the empty workflow, like the measured opens (leaving the big one first would trace its teardown too).
      await openTime(page, `${base}/workflows/${empty.id}`, 0, 0);
      await browser.startTracing(page, { path: process.env.BENCH_TRACE, screenshots: false, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing'] });
      await openTime(page, `${base}/workflows/${big.id}`, STEPS, EDGES);
      await browser.stopTracing();
    }
    const openMedian = percentile(opens, 50);
    const baseMedian = percentile(baselines, 50);
    console.log(`open: ${opens.map(fmt).join(', ')} ms`);
    console.log(
      `designer open ${STEPS} steps/${EDGES} edges: ours ${fmt(openMedian)} ms (p50), max ${fmt(Math.max(...opens))} ms; ` +
        `baseline (empty workflow) ${fmt(baseMedian)} ms, ratio ${(openMedian / baseMedian).toFixed(2)}; target < ${TARGET_OPEN_MS} ms: ${openMedian < TARGET_OPEN_MS ? 'met' : 'MISSED'}`,
    );

    // Drag a step in the middle of the graph, after the view settles.
    await page.waitForTimeout(500);
    const idle = await frameTimes(page, () => page.waitForTimeout(2000));
    const visible = await page.$$eval('[data-step-id]', (nodes: any[]) =>
      nodes
        .filter((n) => {
          const r = n.getBoundingClientRect();
          return r.left > 300 && r.right < 1000 && r.top > 150 && r.bottom < 800;
        })
        .map((n) => String(n.dataset.stepId)),
    );
    const target = visible[Math.floor(visible.length / 2)] ?? 's150';
    const dragFrames = await frameTimes(page, () => dragStep(page, target, 120));
    const p95 = percentile(dragFrames, 95);
    console.log(`drag: ${dragFrames.length} frames over the drag of ${target}; p50 ${fmt(percentile(dragFrames, 50))} ms, p95 ${fmt(p95)} ms, max ${fmt(Math.max(...dragFrames))} ms`);
    console.log(
      `drag frame p95: ours ${fmt(p95)} ms, baseline (idle canvas) ${fmt(percentile(idle, 95))} ms, ratio ${(p95 / percentile(idle, 95)).toFixed(2)}; ` +
        `target < ${TARGET_FRAME_P95_MS} ms: ${p95 < TARGET_FRAME_P95_MS ? 'met' : 'MISSED'}`,
    );
    await context.close();
  } finally {
    await browser.close();
    await app?.close();
    await infra.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
