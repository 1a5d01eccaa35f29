/**
 * Every call the UI makes to the Broker API. Screens import from here only, so a change
 * in the HTTP contract is made in this one module.
 */
import { request, setCsrfToken } from './client';
import type {
  AuthProviders,
  CollectionConfig,
  CollectionObject,
  Combo,
  Delivery,
  EdgeRef,
  Health,
  MyAccount,
  SearchParams,
  SearchResult,
  SearchRow,
  SelfUser,
  TokenLookup,
  TokenPermission,
  TokenRow,
  TypeaheadResult,
  VertexRef,
} from './types';

export * from './types';
export * from './intentions';
export { ApiError, onUnauthorized, setCsrfToken, getCsrfToken } from './client';

const ACCOUNT = '/v1/collection/broker-account';

/** URL path segment for a collection: camelCase names become kebab-case. */
export function collectionPath(collection: string): string {
  return collection.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Collection name from a URL segment: kebab-case becomes camelCase. */
export function collectionName(segment: string): string {
  return segment.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const seg = encodeURIComponent;

// --- Sign-in ---------------------------------------------------------------------------

export function getAuthProviders(): Promise<AuthProviders> {
  return request('GET', '/auth/providers', { quiet401: true });
}

export async function loginLocal(username: string, password: string): Promise<void> {
  const answer = await request<{ csrfToken: string }>('POST', '/auth/local/login', {
    body: { username, password },
    quiet401: true,
  });
  setCsrfToken(answer?.csrfToken);
}

export async function logout(): Promise<void> {
  try {
    await request('POST', '/auth/logout', { quiet401: true });
  } finally {
    setCsrfToken(null);
  }
}

/** Where the browser goes for OIDC sign-in; `returnPath` is a same-origin path. */
export function oidcLoginUrl(returnPath: string): string {
  return `/auth/login?return=${encodeURIComponent(returnPath)}`;
}

export async function getSelf(): Promise<SelfUser> {
  const user = await request<SelfUser>('GET', '/v1/collection/user/self', { quiet401: true });
  if (user.csrfToken) setCsrfToken(user.csrfToken);
  return user;
}

// --- Collections -----------------------------------------------------------------------

export function getCollectionConfig(): Promise<CollectionConfig[]> {
  return request('GET', '/v1/collection/config');
}

export function searchCollection(collection: string, params: SearchParams): Promise<SearchResult> {
  return request('POST', `/v1/collection/${collectionPath(collection)}/search`, {
    query: { offset: 0, limit: 10, ...params },
  });
}

export function getObject(collection: string, id: string): Promise<CollectionObject> {
  return request('GET', `/v1/collection/${collectionPath(collection)}/${seg(id)}`);
}

export function getCombo(collection: string, id: string): Promise<Combo> {
  return request('GET', `/v1/collection/${collectionPath(collection)}/${seg(id)}/combo`);
}

/** The collection object id of a vertex, or null when the vertex has no object. */
export async function resolveVertex(collection: string, vertexId: string): Promise<string | null> {
  const matches = (row: SearchRow) =>
    row.vertex?.id === vertexId || row.collection.vertex === vertexId;
  const direct = await searchCollection(collection, { vertexId, offset: 0, limit: 1 });
  const hit = direct.data.find(matches);
  if (hit) return hit.collection.id;
  // Without vertexId support in search, find the object by its vertex's name.
  const vertex = await getVertex(vertexId);
  const byName = await searchCollection(collection, { q: vertex.name, offset: 0, limit: 100 });
  return byName.data.find(matches)?.collection.id ?? null;
}

// --- Graph -----------------------------------------------------------------------------

export function typeahead(q: string, collections?: string[]): Promise<TypeaheadResult> {
  return request('POST', '/v1/graph/typeahead', {
    query: { q, collections: collections?.join(',') },
  });
}

export function getVertex(id: string): Promise<VertexRef> {
  return request('GET', `/v1/graph/vertex/${seg(id)}`);
}

export function addEdge(name: string, source: string, target: string): Promise<EdgeRef> {
  return request('POST', '/v1/graph/edge', { body: { name, source, target } });
}

export function deleteEdge(id: string): Promise<void> {
  return request('DELETE', `/v1/graph/edge/${seg(id)}`);
}

// --- Account tokens --------------------------------------------------------------------

export function listTokens(accountId: string): Promise<TokenRow[]> {
  return request('GET', `${ACCOUNT}/${seg(accountId)}/token`);
}

export interface GenerateOptions {
  expirationSeconds: number;
  /** Write the token to the Vault tools space of each connected service. */
  vault: boolean;
  /** Sync the tools secrets to the connected GitHub repositories. */
  github: boolean;
}

/** Generates (or renews) the account's token; the answer is the only copy the UI sees. */
export async function generateToken(accountId: string, options: GenerateOptions): Promise<string> {
  const answer = await request<{ token: string }>('POST', `${ACCOUNT}/${seg(accountId)}/token`, {
    query: {
      expiration: options.expirationSeconds,
      patch: options.vault,
      syncSecrets: options.vault && options.github,
    },
  });
  return answer.token;
}

export function revokeAllTokens(accountId: string): Promise<void> {
  return request('DELETE', `${ACCOUNT}/${seg(accountId)}/token`);
}

export function revokeToken(accountId: string, jti: string): Promise<void> {
  return request('DELETE', `${ACCOUNT}/${seg(accountId)}/token/${seg(jti)}`);
}

export function getTokenPermission(accountId: string): Promise<TokenPermission> {
  return request('GET', `${ACCOUNT}/${seg(accountId)}/token/permission`);
}

export function listDeliveries(accountId: string): Promise<Delivery[]> {
  return request('GET', `${ACCOUNT}/${seg(accountId)}/deliveries`);
}

export function listMyAccounts(): Promise<MyAccount[]> {
  return request('GET', `${ACCOUNT}/mine`);
}

/** Looks up a client_id or a whole pasted token; the token goes in the body, never the URL. */
export function lookupToken(query: string): Promise<TokenLookup> {
  return request('POST', '/v1/token/lookup', { body: { query } });
}

export const TOKEN_EVENTS_URL = `${ACCOUNT}/events`;

// --- Health ----------------------------------------------------------------------------

export function getHealth(): Promise<Health> {
  return request('GET', '/v1/health', { quiet401: true });
}
