import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  collectionName,
  collectionPath,
  generateToken,
  getSelf,
  listTokens,
  lookupToken,
  onUnauthorized,
  revokeToken,
  searchCollection,
  setCsrfToken,
} from './index';
import { loginLocal } from './index';

function reply(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
}

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  setCsrfToken(null);
  onUnauthorized(null);
});

afterEach(() => vi.unstubAllGlobals());

function call(index = 0): { url: string; init: RequestInit } {
  const [url, init] = fetchMock.mock.calls[index];
  return { url: String(url), init: init ?? {} };
}

describe('collection names', () => {
  it('converts between camelCase and kebab-case', () => {
    expect(collectionPath('brokerAccount')).toBe('broker-account');
    expect(collectionPath('serviceInstance')).toBe('service-instance');
    expect(collectionPath('team')).toBe('team');
    expect(collectionName('broker-account')).toBe('brokerAccount');
    expect(collectionName('brokerAccount')).toBe('brokerAccount');
  });
});

describe('request', () => {
  it('sends the CSRF token from sign-in on state-changing requests only', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { csrfToken: 'csrf-abc' }));
    await loginLocal('alice', 'pw');
    expect(call(0).init.headers).not.toHaveProperty('X-CSRF-Token');
    expect(JSON.parse(String(call(0).init.body))).toEqual({ username: 'alice', password: 'pw' });

    fetchMock.mockResolvedValueOnce(reply(200, []));
    await listTokens('a1');
    expect(call(1).init.headers).not.toHaveProperty('X-CSRF-Token');

    fetchMock.mockResolvedValueOnce(reply(200, {}));
    await revokeToken('a1', 'j-1');
    expect(call(2).url).toBe('/v1/collection/broker-account/a1/token/j-1');
    expect(call(2).init.method).toBe('DELETE');
    expect(call(2).init.headers).toMatchObject({ 'X-CSRF-Token': 'csrf-abc' });
  });

  it('takes the CSRF token from /user/self', async () => {
    fetchMock.mockResolvedValueOnce(
      reply(200, {
        id: 'u',
        vertex: 'v',
        username: 'a',
        name: 'A',
        email: '',
        roles: [],
        csrfToken: 'c2',
      }),
    );
    await getSelf();
    fetchMock.mockResolvedValueOnce(reply(201, { token: 'x.y.z' }));
    await generateToken('a1', { expirationSeconds: 60, vault: true, github: true });
    expect(call(1).init.headers).toMatchObject({ 'X-CSRF-Token': 'c2' });
  });

  it('turns an error body into an ApiError with its message', async () => {
    fetchMock.mockResolvedValueOnce(
      reply(403, {
        statusCode: 403,
        message: 'Requires lead-developer or full-access on team platform',
        error: 'Forbidden',
      }),
    );
    const failure = generateToken('a1', { expirationSeconds: 60, vault: true, github: true });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await failure.catch((err: ApiError) => {
      expect(err.status).toBe(403);
      expect(err.message).toBe('Requires lead-developer or full-access on team platform');
      expect(err.error).toBe('Forbidden');
    });
  });

  it('reports Retry-After on 429', async () => {
    fetchMock.mockResolvedValueOnce(
      reply(429, { statusCode: 429, message: 'Too Many Requests' }, { 'Retry-After': '30' }),
    );
    await expect(loginLocal('a', 'b')).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 30,
    });
  });

  it('calls the unauthorized handler on 401, except for quiet calls', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    fetchMock.mockResolvedValueOnce(reply(401, { statusCode: 401, message: 'Unauthorized' }));
    await expect(listTokens('a1')).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
    fetchMock.mockResolvedValueOnce(reply(401, { statusCode: 401, message: 'Unauthorized' }));
    await expect(getSelf()).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('token calls', () => {
  it('generates with expiration, Vault and GitHub options in the query', async () => {
    fetchMock.mockResolvedValueOnce(reply(201, { token: 'h.p.s' }));
    const token = await generateToken('a1', {
      expirationSeconds: 7776000,
      vault: true,
      github: true,
    });
    expect(token).toBe('h.p.s');
    expect(call().init.method).toBe('POST');
    expect(call().url).toBe(
      '/v1/collection/broker-account/a1/token?expiration=7776000&patch=true&syncSecrets=true',
    );
  });

  it('never syncs to GitHub when Vault storage is off', async () => {
    fetchMock.mockResolvedValueOnce(reply(201, { token: 'h.p.s' }));
    await generateToken('a1', { expirationSeconds: 5184000, vault: false, github: true });
    expect(call().url).toBe(
      '/v1/collection/broker-account/a1/token?expiration=5184000&patch=false&syncSecrets=false',
    );
  });

  it('sends a looked-up token in the body, not the URL', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln';
    fetchMock.mockResolvedValueOnce(
      reply(200, { account: { id: 'a1', name: 'ci', clientId: 'c' }, jti: 'x', state: 'active' }),
    );
    const result = await lookupToken(token);
    expect(result.jti).toBe('x');
    expect(call().url).toBe('/v1/token/lookup');
    expect(call().url).not.toContain(token);
    expect(JSON.parse(String(call().init.body))).toEqual({ query: token });
  });
});

describe('search', () => {
  it('uses the kebab-case path and drops empty parameters', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { data: [], meta: { total: 0 } }));
    await searchCollection('brokerAccount', {
      q: '',
      upstreamVertex: 'v1',
      sort: 'name',
      dir: 'asc',
    });
    expect(call().url).toBe(
      '/v1/collection/broker-account/search?offset=0&limit=10&upstreamVertex=v1&sort=name&dir=asc',
    );
  });
});
