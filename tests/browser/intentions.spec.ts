import { expect, request, test } from '@playwright/test';
import {
  accountId,
  apiAs,
  baseUrl,
  expectTokenNowhere,
  finalScreenshot,
  generateByApi,
  navTo,
  signIn,
} from './helpers';

/** Automation with the account token: opens one intention; returns the answer and status. */
async function openIntention(
  token: string,
  reason: string,
  action: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const machine = await request.newContext({ baseURL: baseUrl() });
  const response = await machine.post('/v1/intention/open', {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      event: { provider: 'browser-walk', reason },
      actions: [action],
      user: { name: 'alice' },
    },
  });
  const body = (await response.json()) as Record<string, unknown>;
  await machine.dispose();
  return { status: response.status(), body };
}

async function closeIntention(intentionToken: string): Promise<number> {
  const machine = await request.newContext({ baseURL: baseUrl() });
  const response = await machine.post('/v1/intention/close', {
    headers: { 'X-Broker-Token': intentionToken },
  });
  await machine.dispose();
  return response.status();
}

const SERVICE = { name: 'fluent-bit', project: 'fluent', environment: 'production' };

test('the account page shows the intention history: who, what, when, why, outcome', async ({
  page,
}, testInfo) => {
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-deployer');
  const token = await generateByApi(api, id);
  const tag = Date.now().toString(36);

  const backup = await openIntention(token, `Nightly backup ${tag}`, {
    action: 'backup',
    id: 'backup',
    provision: ['token/self'],
    service: SERVICE,
  });
  expect(backup.status).toBe(201);
  expect(await closeIntention(String(backup.body.token))).toBe(201);
  const build = await openIntention(token, `Release build ${tag}`, {
    action: 'package-build',
    id: 'build',
    provision: [],
    service: { ...SERVICE, environment: 'tools' },
    package: { name: 'fluent-bit', version: '1.0', buildVersion: 'abc123' },
  });
  expect(build.status).toBe(400);

  await signIn(page, 'alice');
  await navTo(page, 'Browse');
  await page.getByRole('combobox', { name: 'Collection' }).click();
  await page.getByRole('option', { name: 'Broker Account' }).click();
  await page.getByLabel('Filter').fill('ci-deployer');
  await page.getByRole('link', { name: 'Open ci-deployer' }).click();
  await expect(page.getByRole('heading', { name: 'ci-deployer' })).toBeVisible();

  const history = page.getByRole('region', { name: 'Intentions' });
  await expect(history.getByRole('heading', { name: 'Intentions' })).toBeVisible();
  const backupRow = history
    .getByTestId('intention-row')
    .filter({ hasText: `Nightly backup ${tag}` });
  await expect(backupRow).toContainText('Alice Ng');
  await expect(backupRow).toContainText('backup fluent/fluent-bit (production)');
  await expect(backupRow).toContainText('browser-walk');
  await expect(backupRow).toContainText('Success');
  const buildRow = history.getByTestId('intention-row').filter({ hasText: `Release build ${tag}` });
  await expect(buildRow).toContainText('Rejected');
  await expect(buildRow).toContainText(
    'Package actions must specify a valid semver version. See: https://semver.org',
  );
  // Newest first: the rejected build was opened after the backup.
  const rows = history.getByTestId('intention-row');
  await expect(rows.first()).toContainText(`Release build ${tag}`);

  await history.getByRole('combobox', { name: 'Outcome' }).click();
  await page.getByRole('option', { name: 'Rejected' }).click();
  await expect(buildRow).toBeVisible();
  await expect(backupRow).toHaveCount(0);

  await expectTokenNowhere(page, token);
  await expectTokenNowhere(page, String(backup.body.token));
  await finalScreenshot(page, testInfo);
});
