import { expect, test, type Page } from '@playwright/test';
import {
  accountId,
  apiAs,
  baseUrl,
  expectTokenNowhere,
  finalScreenshot,
  generateByApi,
  jtiOf,
  listTokens,
  navTo,
  signIn,
  tokenCheck,
} from './helpers';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Runs the generate dialog on the open token page and returns the token it showed. */
async function generateInDialog(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('one hour');
  await expect(dialog).toContainText('Vault tools space');
  await expect(dialog.getByLabel('90 days')).toBeChecked();
  await expect(dialog.getByLabel(/Vault tools space/)).toBeChecked();
  await expect(dialog.getByLabel(/GitHub/)).toBeChecked();
  await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
  const field = dialog.getByTestId('generated-token');
  await expect(field).toHaveValue(JWT);
  await expect(dialog).toContainText('It will not be shown again');
  const token = await field.inputValue();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByRole('status')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(dialog).toContainText('Have you copied the token?');
  await dialog.getByRole('button', { name: 'Close anyway' }).click();
  await expect(dialog).toBeHidden();
  return token;
}

function collectConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  return lines;
}

test('generate: Home → Browse → account → Access Token → Generate shows the token once', async ({
  page,
}, testInfo) => {
  const consoleLines = collectConsole(page);
  await signIn(page, 'alice');
  await navTo(page, 'Browse');
  await page.getByRole('combobox', { name: 'Collection' }).click();
  await page.getByRole('option', { name: 'Broker Account' }).click();
  await page.getByLabel('Filter').fill('ci-generate');
  await expect(page).toHaveURL(/q=ci-generate/);
  await page.getByRole('link', { name: 'Open ci-generate' }).click();
  await expect(page.getByRole('heading', { name: 'ci-generate' })).toBeVisible();
  await page.getByRole('link', { name: 'Access Token' }).first().click();
  await expect(page).toHaveURL(/\/browse\/brokerAccount\/[^/]+\/token$/);
  await expect(page.getByText('This account has no token yet')).toBeVisible();

  const token = await generateInDialog(page);
  await expect(page.getByTestId('snackbar')).toContainText('Token generated');
  const jti = jtiOf(token);
  const current = page.getByTestId('token-current');
  await expect(current.getByTestId('jti')).toHaveText(jti);
  await expect(current).toContainText('Active');
  await expect(current).toContainText(/expires in (89|90) days/);

  const { api } = await apiAs('alice');
  const id = page.url().split('/').at(-2)!;
  const rows = await listTokens(api, id);
  expect(rows[0].jti).toBe(jti);
  expect(rows[0].state).toBe('active');
  await expectTokenNowhere(page, token);
  expect(consoleLines.join('\n')).not.toContain(token);
  await finalScreenshot(page, testInfo);
});

test('find the account from the team: Browse → Team (Connected) → Connections → Broker Account', async ({
  page,
}, testInfo) => {
  await signIn(page, 'alice');
  await navTo(page, 'Browse');
  await page.getByRole('combobox', { name: 'Collection' }).click();
  await page.getByRole('option', { name: 'Team' }).click();
  await expect(page.getByRole('link', { name: 'Open other-team' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Show' }).click();
  await page.getByRole('option', { name: 'Connected' }).click();
  await expect(page.getByRole('link', { name: 'Open platform' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open other-team' })).toBeHidden();

  await page.getByRole('link', { name: 'Open platform' }).click();
  const connections = page.getByRole('region', { name: 'Connections' });
  await connections.getByRole('link', { name: /Broker Account/ }).click();
  await expect(page.getByRole('heading', { name: /Broker Account/ })).toBeVisible();
  await page.getByTestId('connection-row').filter({ hasText: 'ci-deployer' }).click();
  await expect(page.getByRole('heading', { name: 'ci-deployer' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Access Token' }).first()).toBeVisible();

  const { api, vertex } = await apiAs('alice');
  const teams = await api.post('/v1/collection/team/search', {
    params: { offset: 0, limit: 50, upstreamVertex: vertex },
  });
  const names = ((await teams.json()) as { data: { collection: { name: string } }[] }).data.map(
    (r) => r.collection.name,
  );
  expect(names).toContain('platform');
  expect(names).not.toContain('other-team');
  const id = page.url().split('/').at(-1)!;
  const account = await api.get(`/v1/collection/broker-account/${id}`);
  expect(((await account.json()) as { name: string }).name).toBe('ci-deployer');
  await finalScreenshot(page, testInfo);
});

test('revoke: Revoke Token confirms "immediate, cannot be undone" and blocks every token', async ({
  page,
}, testInfo) => {
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-revoke');
  const first = await generateByApi(api, id);
  const second = await generateByApi(api, id);
  expect(await tokenCheck(first)).toBe(204);
  expect(await tokenCheck(second)).toBe(204);

  await signIn(page, 'alice');
  await navTo(page, 'My accounts');
  const row = page.getByTestId('my-account-row').filter({ hasText: 'ci-revoke' });
  await expect(row).toContainText(/expires in (89|90) days/);
  await row.getByRole('link', { name: 'Access Token' }).click();
  await expect(page.getByTestId('token-previous')).toContainText('In grace until');

  await page.getByRole('button', { name: 'Revoke Token', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('immediate and cannot be undone');
  await dialog.getByRole('button', { name: 'Revoke Token', exact: true }).click();
  await expect(page.getByTestId('snackbar')).toContainText('Token revoked');
  await expect(page.getByTestId('snackbar')).not.toContainText('generated');
  await expect(page.getByTestId('token-current')).toContainText('Blocked');
  await expect(page.getByTestId('token-previous')).toContainText('Blocked');

  const rows = await listTokens(api, id);
  expect(rows.length).toBeGreaterThanOrEqual(2);
  for (const r of rows) expect(r.state).toBe('blocked');
  expect(await tokenCheck(first)).not.toBe(204);
  expect(await tokenCheck(second)).not.toBe(204);
  await finalScreenshot(page, testInfo);
});

test('look up an account by client_id and by a pasted token', async ({ page }, testInfo) => {
  const consoleLines = collectConsole(page);
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-lookup');
  const token = await generateByApi(api, id);
  const jti = jtiOf(token);
  const clientId = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d04';

  await signIn(page, 'alice');
  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill(clientId);
  await page.getByRole('option', { name: 'ci-lookup', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/browse/brokerAccount/${id}$`));
  await expect(page.getByRole('heading', { name: 'ci-lookup' })).toBeVisible();
  await expect(page.getByText(jti)).toBeVisible();
  await expect(page.getByText(/expires in (89|90) days/)).toBeVisible();

  await search.fill(token);
  const dialog = page.getByRole('dialog', { name: 'Token look-up' });
  await expect(dialog.getByTestId('lookup-jti')).toHaveText(jti);
  await expect(dialog.getByTestId('lookup-state')).toContainText('Active');
  await expect(dialog).toContainText('ci-lookup');
  await expect(dialog).toContainText(/expires in (89|90) days/);
  // The modal hides the toolbar from the accessibility tree; the field must be empty anyway.
  await expect(page.getByRole('combobox', { name: 'Search', includeHidden: true })).toHaveValue('');
  await expectTokenNowhere(page, token);
  await dialog.getByRole('link', { name: 'Open token page' }).click();
  await expect(page).toHaveURL(new RegExp(`/browse/brokerAccount/${id}/token$`));
  await expect(page.getByTestId('token-current').getByTestId('jti')).toHaveText(jti);

  const lookup = await api.post('/v1/token/lookup', { data: { query: token } });
  expect(lookup.status()).toBe(200);
  const body = (await lookup.json()) as { account: { id: string }; jti: string; state: string };
  expect(body.account.id).toBe(id);
  expect(body.jti).toBe(jti);
  expect(body.state).toBe('active');
  expect(consoleLines.join('\n')).not.toContain(token);
  await finalScreenshot(page, testInfo);
});

test('members: an owner adds a user to a role and removes them', async ({ page }, testInfo) => {
  await signIn(page, 'alice');
  await navTo(page, 'Teams');
  await page.getByRole('link', { name: 'Open platform' }).click();
  await page.getByRole('button', { name: 'Members' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Members - platform' });
  await dialog.getByLabel('User').fill('erin');
  await page.getByRole('option', { name: 'Erin Example' }).click();
  await dialog.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Tester' }).click();
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('snackbar')).toContainText('Erin Example added to platform');
  await expect(
    dialog.getByRole('button', { name: 'Remove Erin Example from Tester' }),
  ).toBeVisible();

  const { api } = await apiAs('alice');
  const teamId = page.url().split('/').at(-1)!;
  const members = async () => {
    const combo = await api.get(`/v1/collection/team/${teamId}/combo`);
    const body = (await combo.json()) as {
      upstream: { edge: { name: string }; vertex: { name: string } }[];
    };
    return body.upstream.map((c) => `${c.vertex.name}:${c.edge.name}`);
  };
  expect(await members()).toContain('Erin Example:tester');

  await dialog.getByRole('button', { name: 'Remove Erin Example from Tester' }).click();
  await page
    .getByRole('dialog', { name: 'Remove member' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(page.getByTestId('snackbar')).toContainText('Erin Example removed');
  await expect(
    dialog.getByRole('button', { name: 'Remove Erin Example from Tester' }),
  ).toBeHidden();
  expect(await members()).not.toContain('Erin Example:tester');
  await finalScreenshot(page, testInfo);
});

test('renewal keeps the previous token working during its grace period', async ({
  page,
}, testInfo) => {
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-renew');
  await signIn(page, 'alice', `/browse/brokerAccount/${id}/token`);
  await expect(page).toHaveURL(new RegExp(`/browse/brokerAccount/${id}/token$`));

  const first = await generateInDialog(page);
  await expect(page.getByTestId('token-current').getByTestId('jti')).toHaveText(jtiOf(first));
  const second = await generateInDialog(page);
  await expect(page.getByTestId('token-current').getByTestId('jti')).toHaveText(jtiOf(second));
  await expect(page.getByTestId('token-current')).toContainText('Active');
  const previous = page.getByTestId('token-previous');
  await expect(previous.getByTestId('jti')).toHaveText(jtiOf(first));
  await expect(previous).toContainText(/In grace until \d\d:\d\d/);

  const rows = await listTokens(api, id);
  expect(rows[0]).toMatchObject({ jti: jtiOf(second), state: 'active' });
  expect(rows[1]).toMatchObject({ jti: jtiOf(first), state: 'grace' });
  expect(await tokenCheck(first)).toBe(204);
  expect(await tokenCheck(second)).toBe(204);
  await finalScreenshot(page, testInfo);
});

test('a developer-only member sees Generate disabled, with the role that would allow it', async ({
  page,
}, testInfo) => {
  const { api: aliceApi } = await apiAs('alice');
  const id = await accountId(aliceApi, 'ci-deployer');
  await signIn(page, 'dave', `/browse/brokerAccount/${id}/token`);
  await expect(page).toHaveURL(new RegExp(`/browse/brokerAccount/${id}/token$`));
  const generate = page.getByRole('button', { name: 'Generate', exact: true });
  await expect(generate).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Revoke Token', exact: true })).toBeDisabled();
  await generate.locator('xpath=..').hover();
  await expect(page.getByRole('tooltip')).toContainText(/lead-developer|Lead Developer/);
  await expect(page.getByRole('tooltip')).toContainText(/full-access|Full Access/);

  const { api } = await apiAs('dave');
  const permission = await api.get(`/v1/collection/broker-account/${id}/token/permission`);
  expect(((await permission.json()) as { mayManage: boolean }).mayManage).toBe(false);
  const refused = await api.post(`/v1/collection/broker-account/${id}/token`, {
    params: { expiration: 7776000, patch: false, syncSecrets: false },
  });
  expect(refused.status()).toBe(403);
  expect(baseUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await finalScreenshot(page, testInfo);
});

test('the token page updates live when a token changes elsewhere', async ({ page }, testInfo) => {
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-deployer');
  await signIn(page, 'alice', `/browse/brokerAccount/${id}/token`);
  await expect(page.getByRole('heading', { name: 'ci-deployer' })).toBeVisible();
  // Let the page open its event stream before the change happens.
  await page.waitForTimeout(1000);
  const token = await generateByApi(api, id);
  await expect(page.getByTestId('token-current').getByTestId('jti')).toHaveText(jtiOf(token));
  await expect(page.getByTestId('snackbar')).toContainText('tokens of this account changed');
  await finalScreenshot(page, testInfo);
});

test('the token page works on a 390 px wide phone, and token responses are never cached', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const { api } = await apiAs('alice');
  const id = await accountId(api, 'ci-generate');
  await signIn(page, 'alice', `/browse/brokerAccount/${id}/token`);
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Revoke Token', exact: true })).toBeVisible();
  // Nothing wider than the screen: no sideways scrolling on a phone.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);

  const generated = page.waitForResponse(
    (r) => r.request().method() === 'POST' && /\/token\?/.test(r.url()),
  );
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Generate', exact: true }).click();
  const response = await generated;
  expect(response.status()).toBe(201);
  expect(response.headers()['cache-control']).toContain('no-store');
  await finalScreenshot(page, testInfo);
});
