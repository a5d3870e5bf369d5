/// <reference lib="dom" />
// What every browser journey needs: a real otpbox server (its own data folder), Debian's Chromium
// driven by playwright-core, a guard that fails the journey if any request leaves the origin (P9), and
// screenshots.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { freePort, ROOT, type SpawnedServer, spawnServer, tempDir, waitUntilReady } from '../../test/support/spawn.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 860 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export interface RunningServer {
  url: string;
  server: SpawnedServer;
  stop(): Promise<void>;
}

/**
 * `otpbox start` with its own data folder (or `dataDir`, kept when it stops: a restart on the same
 * data), fast sandbox SMS and a short early-cancel window unless told otherwise.
 */
export async function startServer(env: Record<string, string> = {}, dataDir?: string): Promise<RunningServer> {
  const port = await freePort();
  const data = dataDir ? { path: dataDir, remove: async () => {} } : await tempDir('otpbox-e2e-');
  const server = spawnServer({
    PORT: String(port),
    DATA_DIR: data.path,
    LOG_LEVEL: 'warn',
    SANDBOX_SMS_DELAY_MS: '1500',
    CANCEL_MIN_S: '3',
    ...env,
  });
  try {
    await waitUntilReady(server, 30_000);
  } catch (error) {
    // A server that never got ready would outlive the run (afterAll has nothing to stop).
    server.kill();
    await server.exited;
    await data.remove();
    throw error;
  }
  return {
    url: server.url,
    server,
    async stop() {
      server.kill();
      await server.exited;
      await data.remove();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Every request the browser makes, and those that went anywhere but the otpbox origin. */
export class OriginGuard {
  readonly requests: { url: string; method: string; at: number }[] = [];
  readonly foreign: string[] = [];

  constructor(
    context: BrowserContext,
    private readonly origin: string,
  ) {
    context.on('request', (request) => {
      const url = new URL(request.url());
      this.requests.push({ url: request.url(), method: request.method(), at: Date.now() });
      if (url.protocol === 'data:' || url.protocol === 'blob:') return;
      if (url.origin !== this.origin) this.foreign.push(request.url());
    });
  }
}

export interface Journey {
  context: BrowserContext;
  page: Page;
  guard: OriginGuard;
}

export async function openJourney(browser: Browser, server: RunningServer, options: BrowserContextOptions = {}): Promise<Journey> {
  const context = await browser.newContext({ baseURL: server.url, viewport: DESKTOP, locale: 'en-GB', timezoneId: 'UTC', ...options });
  const guard = new OriginGuard(context, server.url);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // A failed journey leaves a picture of where it stopped (e2e/artifacts/failed-….png).
  onTestFailed(async ({ task }) => {
    console.error(`server output:\n${server.server.output()}`);
    await page.screenshot({ path: path.join(ARTIFACTS, `failed-${task.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  });
  return { context, page, guard };
}

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const DOCS = path.join(ROOT, 'docs', 'screenshots');

/**
 * A screenshot in e2e/artifacts (git-ignored, for looking at a failed run). With
 * `SCREENSHOTS=docs` it is also written to docs/screenshots, for the README.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Brand icons are symbols of an external SVG sprite, which the page does not wait for: load it, then let two frames paint.
  await page.evaluate(async () => {
    const uses = Array.from(document.querySelectorAll<SVGUseElement>('.service-icon use'));
    const urls = new Set(uses.map((use) => (use.getAttribute('href') ?? '').split('#')[0] ?? ''));
    await Promise.all(
      [...urls].filter(Boolean).map((src) => {
        const image = new Image();
        image.src = src;
        return image.decode().catch(() => {});
      }),
    );
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
  if (process.env.SCREENSHOTS === 'docs') {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
  }
}
