// An in-memory imitation of the Broker API, used only to look at the screens while the
// real broker is not at hand (npm run screens). The committed tests use the real broker.

const now = () => Date.now();
const iso = (ms) => new Date(ms).toISOString();
const DAY = 86400000;

const field = (name, type = 'string', hint = '') => ({ name, type, required: false, hint });

export const configs = [
  {
    collection: 'brokerAccount',
    index: 5,
    name: 'Broker Account',
    hint: 'Machine identities that hold tokens',
    browseFields: ['name', 'email', 'clientId', 'website'],
    fields: {
      name: field('Name'),
      email: field('Email (sub)', 'email'),
      clientId: field('Client ID', 'string', 'Shared id of every token of this account'),
      website: field('Website', 'url'),
      requireProjectExists: field('Require Project Exists', 'boolean'),
    },
    edges: [],
    fieldDefaultSort: { field: 'name', dir: 'asc' },
    permissions: { browse: true, create: false, filter: true, update: false, delete: false },
  },
  {
    collection: 'team',
    index: 6,
    name: 'Team',
    hint: 'Groups of users',
    browseFields: ['name', 'email', 'website'],
    fields: {
      name: field('Name'),
      email: field('Email', 'email'),
      website: field('Website', 'url'),
    },
    edges: [],
    fieldDefaultSort: { field: 'name', dir: 'asc' },
    permissions: { browse: true, create: true, filter: true, update: true, delete: false },
  },
  {
    collection: 'user',
    index: 4,
    name: 'User',
    browseFields: ['username', 'name', 'email'],
    fields: { username: field('Username'), name: field('Name'), email: field('Email', 'email') },
    edges: [],
    permissions: { browse: true, filter: false },
  },
  {
    collection: 'project',
    index: 1,
    name: 'Project',
    browseFields: ['name'],
    fields: { name: field('Name') },
    edges: [],
    permissions: { browse: true, filter: true },
  },
  {
    collection: 'service',
    index: 2,
    name: 'Service',
    browseFields: ['name'],
    fields: { name: field('Name') },
    edges: [],
    permissions: { browse: true, filter: true },
  },
];

const v = (id, collection, name) => ({ id, collection, name });

export function createState() {
  const vertices = {
    vAlice: v('vAlice', 'user', 'Alice Ng'),
    vBob: v('vBob', 'user', 'Bob Stone'),
    vTeam: v('vTeam', 'team', 'platform'),
    vAcct: v('vAcct', 'brokerAccount', 'ci-deployer'),
    vProj: v('vProj', 'project', 'fluent'),
    vSvc: v('vSvc', 'service', 'fluent-bit'),
  };
  const objects = {
    vAlice: {
      id: 'u1',
      vertex: 'vAlice',
      name: 'Alice Ng',
      username: 'alice',
      email: 'alice@example.com',
    },
    vBob: {
      id: 'u2',
      vertex: 'vBob',
      name: 'Bob Stone',
      username: 'bob',
      email: 'bob@example.com',
    },
    vTeam: { id: 't1', vertex: 'vTeam', name: 'platform', email: 'platform@example.com' },
    vAcct: {
      id: 'a1',
      vertex: 'vAcct',
      name: 'ci-deployer',
      email: 'ci@example.com',
      clientId: '6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a',
      website: 'https://ci.example.com',
      requireProjectExists: true,
    },
    vProj: { id: 'p1', vertex: 'vProj', name: 'fluent' },
    vSvc: { id: 's1', vertex: 'vSvc', name: 'fluent-bit' },
  };
  const edges = [
    { id: 'e1', name: 'owner', source: 'vAlice', target: 'vTeam' },
    { id: 'e2', name: 'lead-developer', source: 'vAlice', target: 'vTeam' },
    { id: 'e3', name: 'owns', source: 'vTeam', target: 'vAcct' },
    { id: 'e4', name: 'authorized', source: 'vAcct', target: 'vProj' },
    { id: 'e5', name: 'component', source: 'vProj', target: 'vSvc' },
  ];
  const tokens = [
    {
      jti: '0f0e2c1a-7d1b-4d0c-8f5e-aa11bb22cc33',
      accountId: 'a1',
      claims: {
        client_id: objects.vAcct.clientId,
        exp: Math.floor((now() + 5 * DAY) / 1000),
        jti: '0f0e2c1a-7d1b-4d0c-8f5e-aa11bb22cc33',
        sub: 'ci@example.com',
      },
      createdAt: iso(now() - 85 * DAY),
      createdBy: { id: 'u1', name: 'Alice Ng' },
      state: 'active',
      blocked: false,
      lastUsedAt: iso(now() - 3600000),
      lastUsedIp: '10.0.4.17',
      lastUsedUserAgent: 'curl/7.88.1',
    },
  ];
  return { vertices, objects, edges, tokens, nextId: 100 };
}

const json = (status, body, headers = {}) => ({
  status,
  contentType: 'application/json',
  headers: { 'cache-control': 'no-store', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

function conn(state, edge, end) {
  const vertex = state.vertices[end];
  return { edge, vertex, collection: state.objects[end] };
}

function combo(state, vertexId) {
  return {
    type: 'vertex',
    collection: state.objects[vertexId],
    vertex: state.vertices[vertexId],
    upstream: state.edges.filter((e) => e.target === vertexId).map((e) => conn(state, e, e.source)),
    downstream: state.edges
      .filter((e) => e.source === vertexId)
      .map((e) => conn(state, e, e.target)),
  };
}

function fakeToken(jti) {
  const b = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b({ jti, client_id: '6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a' })}.c2lnbmF0dXJlLW5vdC1yZWFs`;
}

const kebabToCamel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** Answers one API request; returns null for paths it does not know. */
export function handle(state, method, url, body, user = { mayManage: true }) {
  const u = new URL(url);
  const p = u.pathname;
  const q = u.searchParams;
  if (p === '/auth/providers')
    return json(200, { local: true, oidc: { enabled: true, label: 'IDIR' } });
  if (p === '/auth/local/login') {
    if (body?.password !== 'pw')
      return json(401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    state.signedIn = true;
    return json(200, { csrfToken: 'csrf-1' });
  }
  if (p === '/auth/logout') {
    state.signedIn = false;
    return json(200, {});
  }
  if (!state.signedIn)
    return json(401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
  if (p === '/v1/health') return json(200, { status: 'ok', components: {} });
  if (p === '/v1/collection/user/self')
    return json(200, {
      id: 'u1',
      vertex: 'vAlice',
      username: 'alice',
      name: 'Alice Ng',
      email: 'alice@example.com',
      roles: [],
      csrfToken: 'csrf-1',
    });
  if (p === '/v1/collection/config') return json(200, configs);
  if (p === '/v1/graph/typeahead') {
    const text = (q.get('q') ?? '').toLowerCase();
    const only = q.get('collections');
    const data = Object.values(state.vertices).filter(
      (vx) =>
        (!only || only.split(',').includes(vx.collection)) &&
        (vx.name.toLowerCase().includes(text) ||
          String(state.objects[vx.id]?.clientId ?? '').includes(text)),
    );
    return json(200, { meta: { total: data.length }, data });
  }
  if (p === '/v1/graph/edge' && method === 'POST') {
    const edge = { id: `e${state.nextId++}`, ...body };
    state.edges.push(edge);
    return json(201, edge);
  }
  let m = p.match(/^\/v1\/graph\/edge\/(.+)$/);
  if (m && method === 'DELETE') {
    state.edges = state.edges.filter((e) => e.id !== m[1]);
    return json(200, {});
  }
  if (p === '/v1/token/lookup') {
    return json(200, {
      account: { id: 'a1', name: 'ci-deployer', clientId: state.objects.vAcct.clientId },
      jti: state.tokens[0]?.jti,
      state: state.tokens[0]?.state,
      exp: state.tokens[0]?.claims.exp,
    });
  }
  if (p === '/v1/collection/broker-account/mine') {
    const t = state.tokens[0];
    return json(200, [
      {
        id: 'a1',
        name: 'ci-deployer',
        clientId: state.objects.vAcct.clientId,
        current: t ? { jti: t.jti, exp: t.claims.exp, state: t.state } : null,
      },
    ]);
  }
  m = p.match(/^\/v1\/collection\/broker-account\/a1\/token(?:\/(.+))?$/);
  if (m && m[1] === 'permission')
    return json(
      200,
      user.mayManage
        ? { mayManage: true }
        : { mayManage: false, reason: 'Requires lead-developer or full-access on team platform' },
    );
  if (m && method === 'GET') return json(200, state.tokens);
  if (m && method === 'POST') {
    const jti = `a${state.nextId++}e3b2-5c4d-4e6f-8a9b-0c1d2e3f4a5b`;
    for (const t of state.tokens) {
      if (t.state === 'active') {
        t.state = 'grace';
        t.graceUntil = iso(now() + 3600000);
      }
    }
    state.tokens.unshift({
      jti,
      accountId: 'a1',
      claims: {
        client_id: state.objects.vAcct.clientId,
        exp: Math.floor((now() + Number(q.get('expiration')) * 1000) / 1000),
        jti,
        sub: 'ci@example.com',
      },
      createdAt: iso(now()),
      createdBy: { id: 'u1', name: 'Alice Ng' },
      state: 'active',
      blocked: false,
    });
    return json(201, { token: fakeToken(jti) });
  }
  if (m && method === 'DELETE') {
    for (const t of state.tokens)
      if (!m[1] || t.jti === m[1]) Object.assign(t, { state: 'blocked', blocked: true });
    return json(200, {});
  }
  if (p === '/v1/collection/broker-account/a1/deliveries')
    return json(200, [
      {
        kind: 'vault',
        target: 'apps/tools/fluent/fluent-bit',
        version: 3,
        at: iso(now() - 60000),
        outcome: 'success',
      },
      {
        kind: 'github',
        target: 'bcgov/fluent-bit',
        at: iso(now() - 50000),
        outcome: 'retrying',
        error: 'GitHub answered 502',
      },
    ]);
  m = p.match(/^\/v1\/collection\/([a-z-]+)\/search$/);
  if (m) {
    const coll = kebabToCamel(m[1]);
    let list = Object.values(state.vertices).filter((vx) => vx.collection === coll);
    if (q.get('vertexId')) list = list.filter((vx) => vx.id === q.get('vertexId'));
    const text = q.get('q');
    if (text) list = list.filter((vx) => vx.name.includes(text));
    return json(200, { data: list.map((vx) => combo(state, vx.id)), meta: { total: list.length } });
  }
  m = p.match(/^\/v1\/collection\/([a-z-]+)\/([^/]+)(\/combo)?$/);
  if (m) {
    const vx = Object.keys(state.objects).find((k) => state.objects[k].id === m[2]);
    if (!vx) return json(404, { statusCode: 404, message: 'Not found', error: 'Not Found' });
    return json(200, m[3] ? combo(state, vx) : state.objects[vx]);
  }
  return null;
}
