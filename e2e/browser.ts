import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium driven by playwright-core (no downloaded browser builds on these machines). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** Screenshots go to artifacts/screenshots (printed so the CI log says where). */
export function screenshotPath(name: string): string {
  const dir = path.resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  console.log(`screenshot: ${file}`);
  return file;
}

/**
 * Collects what must never happen on our pages: uncaught exceptions and Content-Security-Policy
 * violations (e.g. an inline script). Other console noise (a 401 of a revoked token) is ignored.
 */
export function trackPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  return problems;
}

/** A page a test opened, with the problems `trackPageProblems` collects on it. */
export interface TrackedPage {
  page: Page;
  problems: string[];
}

/** For afterEach: closes the pages the test opened (emptying `pages`) and fails it if any saw a problem. */
export async function closePagesExpectingNoProblems(pages: TrackedPage[]): Promise<void> {
  const problems = pages.flatMap((p) => p.problems);
  await Promise.all(pages.splice(0).map((p) => p.page.close()));
  expect(problems).toEqual([]);
}

/** A tiny local "shop" to send customers back to (sandbox allows http://127.0.0.1:* redirect URLs). */
export async function startLocalSite(): Promise<{ url: string; visits: string[]; close(): Promise<void> }> {
  const visits: string[] = [];
  const server = http.createServer((req, res) => {
    visits.push(req.url ?? '/');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Shop</title><h1>Back at the shop</h1><p>${(req.url ?? '').replace(/[<>&"]/g, '')}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    visits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
