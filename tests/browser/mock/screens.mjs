// Screenshots of the main screens against the in-memory mock API (no broker needed).
// Usage: node mock/screens.mjs [outDir]; needs web/dist built.
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createState, handle } from './api.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';
import { serveStatic } from './static.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../../web/dist');
const out = path.resolve(process.argv[2] ?? path.join(here, '../test-results/screens'));

const server = await serveStatic(dist);
const base = `http://127.0.0.1:${server.address().port}`;
const context = await chromium.launchPersistentContext(
  mkdtempSync(path.join(tmpdir(), 'broker-ui-')),
  {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 860 },
  },
);
const state = createState();
await context.route(/\/(v1|auth)\//, async (route) => {
  const req = route.request();
  const answer = handle(state, req.method(), req.url(), req.postDataJSON?.() ?? null);
  if (answer) await route.fulfill(answer);
  else await route.fulfill({ status: 404, body: '{}' });
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on('console', (m) => {
  // The mock answers 401 before sign-in and 404 for the events stream; those are expected.
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
    problems.push(m.text());
});
page.on('pageerror', (e) => problems.push(String(e)));
const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

await page.goto(`${base}/browse/brokerAccount/a1/token`);
await page.getByLabel('Username').fill('alice');
await page.getByLabel('Password').fill('pw');
await shot('01-signin');
await page.getByRole('button', { name: 'Sign in', exact: true }).click();
await page.getByText('Current token').waitFor();
await shot('02-token-page');
await page.getByRole('button', { name: 'Generate', exact: true }).click();
await shot('03-generate-dialog');
await page.getByRole('dialog').getByRole('button', { name: 'Generate', exact: true }).click();
await page.getByText('It will not be shown again').waitFor();
await shot('04-generated');
await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
await shot('05-confirm-close');
await page.getByRole('button', { name: 'Close anyway' }).click();
await page.getByRole('button', { name: 'Revoke Token', exact: true }).click();
await shot('06-revoke-dialog');
await page.getByRole('dialog').getByRole('button', { name: 'Revoke Token', exact: true }).click();
await page.getByText('Token revoked').waitFor();
await shot('07-revoked');
await page.goto(`${base}/teams`);
await page.getByTestId('browse-row').first().waitFor();
await shot('08-teams');
await page.getByTestId('browse-row').first().click();
await page.getByText('Connections', { exact: true }).waitFor();
await shot('09-team');
await page.getByRole('button', { name: 'Members' }).first().click();
await shot('10-members');
await page.keyboard.press('Escape');
await page.goto(`${base}/accounts`);
await page.getByTestId('my-account-row').waitFor();
await shot('11-my-accounts');
await page.getByLabel('Search').fill('6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a');
await page.getByRole('option').first().waitFor();
await shot('12-search-client-id');
await page.keyboard.press('Escape');
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(`${base}/browse/brokerAccount/a1/token`);
await page.getByText('Current token').waitFor();
await shot('13-token-page-390');
await page.getByLabel('Search').fill('eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln');
await page.getByText('Token look-up').waitFor();
await shot('14-lookup-390');
await context.close();
server.close();
process.stdout.write(`screenshots in ${out}\n`);
if (problems.length) {
  process.stdout.write(`console errors:\n${problems.join('\n')}\n`);
  process.exitCode = 1;
}
