/** Wire types of the Broker HTTP API, as the UI consumes them. */

export interface ApiErrorBody {
  statusCode: number;
  message: string | string[];
  error?: string;
}

export interface AuthProviders {
  local: boolean;
  oidc: { enabled: boolean; label?: string };
}

export interface SelfUser {
  id: string;
  vertex: string;
  username: string;
  name: string;
  email: string;
  roles: string[];
  csrfToken?: string;
}

export interface FieldConfig {
  name: string;
  type: string;
  required?: boolean;
  hint?: string;
}

export interface EdgeConfig {
  collection: string;
  name: string;
  title?: string;
  titleInbound?: string;
}

export interface CollectionConfig {
  collection: string;
  index: number;
  name: string;
  hint?: string;
  color?: string;
  browseFields: string[];
  fields: Record<string, FieldConfig>;
  edges: EdgeConfig[];
  fieldDefaultSort?: { field: string; dir: 'asc' | 'desc' | 1 | -1 };
  permissions: {
    browse: boolean;
    create?: boolean;
    filter: boolean;
    update?: boolean;
    delete?: boolean;
  };
}

export interface VertexRef {
  id: string;
  collection: string;
  name: string;
  parentName?: string;
}

export interface EdgeRef {
  id: string;
  name: string;
  source: string;
  target: string;
}

/** A collection object: id, vertex id, name and collection-specific fields. */
export type CollectionObject = {
  id: string;
  vertex: string;
  name: string;
} & Record<string, unknown>;

export interface Connection {
  edge: EdgeRef;
  vertex: VertexRef;
  collection?: CollectionObject;
}

export interface SearchRow {
  type: 'vertex';
  collection: CollectionObject;
  vertex: VertexRef;
  upstream: Connection[];
  downstream: Connection[];
}

export interface SearchResult {
  data: SearchRow[];
  meta: { total: number };
}

export interface Combo {
  type: 'vertex';
  collection: CollectionObject;
  vertex: VertexRef;
  upstream: Connection[];
  downstream: Connection[];
}

export interface TypeaheadResult {
  meta: { total: number };
  data: VertexRef[];
}

export type TokenState = 'active' | 'grace' | 'blocked' | 'expired';

export interface TokenRow {
  jti: string;
  accountId: string;
  claims: { client_id: string; exp: number; jti: string; sub: string };
  createdAt: string;
  createdBy?: { id: string; name: string } | null;
  state: TokenState;
  graceUntil?: string | null;
  blocked: boolean;
  lastUsedAt?: string | null;
  lastUsedIp?: string | null;
  lastUsedUserAgent?: string | null;
}

export interface Delivery {
  /** github-sync: the sync of every key of the tools path `path` to the repository `target`. */
  kind: 'vault' | 'github' | 'github-sync';
  target: string;
  path?: string;
  version?: number | string | null;
  at: string;
  outcome: 'delivered' | 'pending' | 'superseded' | 'failed' | string;
  error?: string | null;
  jti?: string;
}

export interface MyAccount {
  id: string;
  name: string;
  clientId: string;
  current?: { jti: string; exp: number; state: TokenState; lastUsedAt?: string | null } | null;
}

export type LookupState = TokenState | 'unknown';

export interface TokenLookup {
  account: { id: string; name: string; clientId: string };
  jti?: string | null;
  state?: LookupState | null;
  graceUntil?: string | null;
  exp?: number | null;
}

export interface TokenPermission {
  mayManage: boolean;
  reason?: string;
}

export interface Health {
  status: 'ok' | 'degraded' | 'down';
  components?: Record<string, unknown>;
}

export interface SearchParams {
  offset?: number;
  limit?: number;
  q?: string;
  upstreamVertex?: string;
  vertexId?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
}

/** The expiry choices the generate dialog offers, in seconds. */
export const EXPIRY_CHOICES = [
  { label: '60 days', seconds: 60 * 86400 },
  { label: '90 days', seconds: 90 * 86400 },
  { label: '1 year', seconds: 365 * 86400 },
] as const;

export const DEFAULT_EXPIRY_SECONDS = 90 * 86400;

/** Team role edges (user -role-> team), in display order. */
export const TEAM_ROLES = [
  { name: 'owner', title: 'Owner' },
  { name: 'full-access', title: 'Full Access' },
  { name: 'lead-developer', title: 'Lead Developer' },
  { name: 'developer', title: 'Developer' },
  { name: 'tester', title: 'Tester' },
  { name: 'prod-operator', title: 'Production Operator' },
] as const;
