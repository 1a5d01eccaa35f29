import {
  expect,
  request,
  type APIRequestContext,
  type Page,
  type TestInfo,
} from '@playwright/test';

export const USERS = {
  alice: { username: 'alice', password: 'pw-alice-canary-7f3c91', name: 'Alice Ng' },
  dave: { username: 'dave', password: 'pw-dave-canary-2b8e44', name: 'Dave Developer' },
  erin: { username: 'erin', password: 'pw-erin-canary-5d0a17', name: 'Erin Example' },
} as const;

export type UserKey = keyof typeof USERS;

export function baseUrl(): string {
  const url = process.env.BROKER_URL;
  if (!url) throw new Error('BROKER_URL is not set: the global setup did not start the broker');
  return url;
}

/** Signs in through the sign-in form, starting from `path` (which must survive sign-in). */
export async function signIn(page: Page, who: UserKey, path = '/'): Promise<void> {
  const user = USERS[who];
  await page.goto(`${baseUrl()}${path}`);
  await expect(page).toHaveURL(/\/signin\?return=/);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}

/** An API session for `who`: cookie plus CSRF header on every request. */
export async function apiAs(who: UserKey): Promise<{ api: APIRequestContext; vertex: string }> {
  const user = USERS[who];
  const login = await request.newContext({ baseURL: baseUrl() });
  const answer = await login.post('/auth/local/login', {
    data: { username: user.username, password: user.password },
  });
  expect(answer.status(), 'API sign-in').toBe(200);
  const { csrfToken } = (await answer.json()) as { csrfToken: string };
  const state = await login.storageState();
  await login.dispose();
  const api = await request.newContext({
    baseURL: baseUrl(),
    storageState: state,
    extraHTTPHeaders: { 'X-CSRF-Token': csrfToken },
  });
  const self = await api.get('/v1/collection/user/self');
  expect(self.status()).toBe(200);
  const { vertex } = (await self.json()) as { vertex: string };
  return { api, vertex };
}

export interface TokenRow {
  jti: string;
  state: 'active' | 'grace' | 'blocked' | 'expired';
  graceUntil?: string;
  claims: { client_id: string; exp: number; jti: string };
}

export async function listTokens(api: APIRequestContext, accountId: string): Promise<TokenRow[]> {
  const response = await api.get(`/v1/collection/broker-account/${accountId}/token`);
  expect(response.status()).toBe(200);
  return (await response.json()) as TokenRow[];
}

/** The collection id of the broker account called `name`. */
export async function accountId(api: APIRequestContext, name: string): Promise<string> {
  const response = await api.post('/v1/collection/broker-account/search', {
    params: { offset: 0, limit: 50, q: name },
  });
  // A POST answers 201, as in the reference product (NestJS convention).
  expect(response.status()).toBe(201);
  const body = (await response.json()) as { data: { collection: { id: string; name: string } }[] };
  const row = body.data.find((r) => r.collection.name === name);
  expect(row, `account ${name}`).toBeTruthy();
  return row!.collection.id;
}

export async function generateByApi(api: APIRequestContext, id: string): Promise<string> {
  const response = await api.post(`/v1/collection/broker-account/${id}/token`, {
    params: { expiration: 7776000, patch: false, syncSecrets: false },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

/** The status GET /v1/health/token-check answers for a bearer token (204 = it works). */
export async function tokenCheck(token: string): Promise<number> {
  const anonymous = await request.newContext({ baseURL: baseUrl() });
  const response = await anonymous.get('/v1/health/token-check', {
    headers: { Authorization: `Bearer ${token}` },
  });
  await anonymous.dispose();
  return response.status();
}

export function jtiOf(token: string): string {
  const payload = token.split('.')[1];
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string }).jti;
}

export async function finalScreenshot(page: Page, testInfo: TestInfo): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath('final.png'), fullPage: true });
}

/** Fails when the token is anywhere the browser keeps state or shows text. */
export async function expectTokenNowhere(page: Page, token: string): Promise<void> {
  expect(page.url()).not.toContain(token);
  const stored = await page.evaluate(() => {
    const dump = (s: Storage) =>
      Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
    return [
      ...dump(window.localStorage),
      ...dump(window.sessionStorage),
      JSON.stringify(window.history.state),
    ].join('\n');
  });
  expect(stored).not.toContain(token);
  expect(await page.content()).not.toContain(token);
}

/** Follows an item of the main navigation. */
export async function navTo(page: Page, label: 'Home' | 'Browse' | 'My accounts' | 'Teams') {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}
