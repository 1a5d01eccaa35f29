#!/usr/bin/env node
// A stand-in for the broker binary that speaks the HTTP contract the UI uses, so the browser
// tests can be exercised before the real broker exists:
//   BROKER_BIN=tests/browser/mock/fake-broker.mjs ./run.sh
// It is NOT the product and proves nothing about the real broker.
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

// The policy the broker sends with the UI (src/http/security_headers.h); violations show up as console errors.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";
import { configs } from './api.mjs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dataDir = flag('--data-dir') ?? './broker-data';

if (args[0] === 'import') {
  copyFileSync(args[1], path.join(dataDir, 'fixture.json'));
  process.exit(0);
}
if (args[0] !== 'serve') {
  process.stderr.write('usage: fake-broker.mjs import FILE --data-dir D | serve ...\n');
  process.exit(2);
}

const GRACE_MS = 3600_000;
const fixture = JSON.parse(readFileSync(path.join(dataDir, 'fixture.json'), 'utf8'));
const webRoot = flag('--web-root');
const [host, port] = (flag('--listen') ?? '127.0.0.1:3000').split(':');

// --- graph ---------------------------------------------------------------------------------
const vertices = new Map(); // vertex id -> {id, collection, name}
const objects = new Map(); // vertex id -> collection object
const byRef = new Map(); // "collection/name" -> vertex id
const passwords = new Map(); // username -> {password, vertex}
let edges = [];
let seq = 1;
for (const [collection, list] of Object.entries(fixture.collections)) {
  for (const entry of list) {
    const vid = `v${seq}`;
    const oid = `o${seq++}`;
    const { password, admin, ...fields } = entry;
    const name = entry.name ?? entry.username;
    vertices.set(vid, { id: vid, collection, name });
    objects.set(vid, { id: oid, vertex: vid, ...fields, name });
    byRef.set(`${collection}/${collection === 'user' ? entry.username : entry.name}`, vid);
    if (collection === 'user') passwords.set(entry.username, { password, vertex: vid, admin });
  }
}
for (const e of fixture.edges) {
  edges.push({
    id: `e${seq++}`,
    name: e.name,
    source: byRef.get(e.source),
    target: byRef.get(e.target),
  });
}
const vertexOfObject = (oid) => [...objects.values()].find((o) => o.id === oid)?.vertex;

function reachable(from) {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift();
    for (const e of edges)
      if (e.source === v && !seen.has(e.target)) (seen.add(e.target), queue.push(e.target));
  }
  seen.delete(from);
  return seen;
}
const conn = (e, end) => ({ edge: e, vertex: vertices.get(end), collection: objects.get(end) });
const combo = (vid) => ({
  type: 'vertex',
  collection: objects.get(vid),
  vertex: vertices.get(vid),
  upstream: edges.filter((e) => e.target === vid).map((e) => conn(e, e.source)),
  downstream: edges.filter((e) => e.source === vid).map((e) => conn(e, e.target)),
});

// --- tokens --------------------------------------------------------------------------------
const tokens = new Map(); // account oid -> rows newest first
const tokenStrings = new Map(); // token -> {accountId, jti}
const listeners = new Set();
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

function stateOf(row, now = Date.now()) {
  if (row.blocked) return 'blocked';
  if (row.claims.exp * 1000 <= now) return 'expired';
  if (row.graceUntilMs) return row.graceUntilMs > now ? 'grace' : 'blocked';
  return 'active';
}
const view = (row) => {
  const { graceUntilMs, ...rest } = row;
  return {
    ...rest,
    state: stateOf(row),
    graceUntil: graceUntilMs ? new Date(graceUntilMs).toISOString() : undefined,
  };
};
function mayManage(userVertex, accountVertex, admin) {
  if (admin) return true;
  return edges.some(
    (m) =>
      m.source === userVertex &&
      ['lead-developer', 'full-access'].includes(m.name) &&
      edges.some((o) => o.name === 'owns' && o.source === m.target && o.target === accountVertex),
  );
}
const notify = (clientId) => {
  for (const res of listeners) res.write(`data: ${JSON.stringify({ clientId })}\n\n`);
};

// --- http ----------------------------------------------------------------------------------
const sessions = new Map(); // sid -> {username, vertex, csrf, admin}
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const fail = (res, status, message, error) =>
  send(res, status, { statusCode: status, message, error });
const kebab = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

function serveFile(req, res) {
  const url = new URL(req.url, 'http://x');
  let file = path.join(webRoot, path.normalize(url.pathname));
  if (!file.startsWith(webRoot) || !existsSync(file) || statSync(file).isDirectory())
    file = path.join(webRoot, 'index.html');
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.svg': 'image/svg+xml',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff',
  };
  res.writeHead(200, {
    'content-type': types[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
  });
  createReadStream(file).pipe(res);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  const q = url.searchParams;
  const m = req.method;
  if (!p.startsWith('/v1/') && !p.startsWith('/auth/')) return serveFile(req, res);
  if (p === '/v1/health/ping') return send(res, 204);
  if (p === '/v1/health') return send(res, 200, { status: 'ok', components: {} });
  if (p === '/auth/providers') return send(res, 200, { local: true, oidc: { enabled: false } });
  if (p === '/v1/health/token-check') {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const ref = tokenStrings.get(token);
    if (!ref) return fail(res, 401, 'Unauthorized', 'Unauthorized');
    const row = tokens.get(ref.accountId).find((r) => r.jti === ref.jti);
    const state = stateOf(row);
    if (state === 'blocked') return fail(res, 403, 'Block list has match', 'Forbidden');
    if (state === 'expired') return fail(res, 401, 'Unauthorized', 'Unauthorized');
    return send(res, 204);
  }
  if (p === '/auth/local/login' && m === 'POST') {
    const { username, password } = (await body(req)) ?? {};
    const user = passwords.get(username);
    if (!user || user.password !== password) return fail(res, 401, 'Unauthorized', 'Unauthorized');
    const sid = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    sessions.set(sid, { username, vertex: user.vertex, csrf, admin: !!user.admin });
    return send(
      res,
      200,
      { csrfToken: csrf },
      { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` },
    );
  }
  const sid = /(?:^|; )sid=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1];
  const session = sid && sessions.get(sid);
  if (!session) return fail(res, 401, 'Unauthorized', 'Unauthorized');
  if (m !== 'GET' && req.headers['x-csrf-token'] !== session.csrf)
    return fail(res, 403, 'CSRF token missing or wrong', 'Forbidden');
  if (p === '/auth/logout') {
    sessions.delete(sid);
    return send(res, 200, {});
  }
  if (p === '/v1/collection/user/self') {
    const o = objects.get(session.vertex);
    return send(res, 200, {
      id: o.id,
      vertex: session.vertex,
      username: session.username,
      name: o.name,
      email: o.email,
      roles: session.admin ? ['admin'] : [],
      csrfToken: session.csrf,
    });
  }
  if (p === '/v1/collection/config') return send(res, 200, configs);
  if (p === '/v1/collection/broker-account/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': hello\n\n');
    listeners.add(res);
    req.on('close', () => listeners.delete(res));
    return undefined;
  }
  if (p === '/v1/graph/typeahead') {
    const text = (q.get('q') ?? '').toLowerCase();
    const only = q.get('collections')?.split(',');
    const data = [...vertices.values()].filter((v) => {
      const o = objects.get(v.id);
      if (only && !only.includes(v.collection)) return false;
      return [v.name, o.clientId, o.username].some(
        (s) => s && String(s).toLowerCase().includes(text),
      );
    });
    return send(res, 200, { meta: { total: data.length }, data: data.slice(0, 10) });
  }
  let r = /^\/v1\/graph\/vertex\/([^/]+)$/.exec(p);
  if (r)
    return vertices.has(r[1])
      ? send(res, 200, vertices.get(r[1]))
      : fail(res, 404, 'Not found', 'Not Found');
  if (p === '/v1/graph/edge' && m === 'POST') {
    const e = await body(req);
    if (edges.some((x) => x.name === e.name && x.source === e.source && x.target === e.target))
      return fail(res, 409, 'Edge exists', 'Conflict');
    const edge = { id: `e${seq++}`, name: e.name, source: e.source, target: e.target };
    edges.push(edge);
    return send(res, 201, edge);
  }
  r = /^\/v1\/graph\/edge\/([^/]+)$/.exec(p);
  if (r && m === 'DELETE') {
    edges = edges.filter((e) => e.id !== r[1]);
    return send(res, 200, {});
  }
  if (p === '/v1/token/lookup' && m === 'POST') {
    const { query } = await body(req);
    let clientId = query;
    let jti;
    if (query.split('.').length === 3) {
      const claims = JSON.parse(Buffer.from(query.split('.')[1], 'base64url').toString());
      clientId = claims.client_id;
      jti = claims.jti;
    }
    const acct = [...objects.values()].find((o) => o.clientId === clientId);
    if (!acct) return fail(res, 404, 'No account has this client_id', 'Not Found');
    const rows = tokens.get(acct.id) ?? [];
    const row = jti ? rows.find((x) => x.jti === jti) : rows[0];
    const answer = { account: { id: acct.id, name: acct.name, clientId } };
    if (jti && !row) return send(res, 200, { ...answer, jti, state: 'unknown' });
    if (row)
      Object.assign(answer, {
        jti: row.jti,
        state: stateOf(row),
        exp: row.claims.exp,
        graceUntil: view(row).graceUntil,
      });
    return send(res, 200, answer);
  }
  if (p === '/v1/collection/broker-account/mine') {
    const mine = [...objects.values()].filter(
      (o) =>
        vertices.get(o.vertex).collection === 'brokerAccount' &&
        mayManage(session.vertex, o.vertex, session.admin),
    );
    return send(
      res,
      200,
      mine.map((o) => {
        const row = (tokens.get(o.id) ?? [])[0];
        return {
          id: o.id,
          name: o.name,
          clientId: o.clientId,
          current: row ? { jti: row.jti, exp: row.claims.exp, state: stateOf(row) } : null,
        };
      }),
    );
  }
  r = /^\/v1\/collection\/broker-account\/([^/]+)\/(token|deliveries)(?:\/([^/]+))?$/.exec(p);
  if (r) {
    const [, oid, kind, sub] = r;
    const vid = vertexOfObject(oid);
    if (!vid) return fail(res, 404, 'Not found', 'Not Found');
    const acct = objects.get(vid);
    const rows = tokens.get(oid) ?? [];
    tokens.set(oid, rows);
    const allowed = mayManage(session.vertex, vid, session.admin);
    const teams = edges
      .filter((e) => e.name === 'owns' && e.target === vid)
      .map((e) => vertices.get(e.source).name);
    const reason = `Requires lead-developer or full-access on team ${teams.join(' or ')}`;
    if (kind === 'deliveries') return send(res, 200, []);
    if (sub === 'permission')
      return send(res, 200, allowed ? { mayManage: true } : { mayManage: false, reason });
    if (m === 'GET') return send(res, 200, rows.map(view));
    if (!allowed) return fail(res, 403, reason, 'Forbidden');
    const now = Date.now();
    if (m === 'POST') {
      for (const row of rows) {
        const s = stateOf(row, now);
        if (s === 'grace') row.blocked = true;
        if (s === 'active') row.graceUntilMs = now + GRACE_MS;
      }
      const jti = randomUUID();
      const iat = Math.floor(now / 1000);
      const claims = {
        client_id: acct.clientId,
        exp: iat + Number(q.get('expiration') ?? 7776000),
        iat,
        nbf: iat,
        jti,
        sub: acct.email,
      };
      const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
      tokenStrings.set(token, { accountId: oid, jti });
      rows.unshift({
        jti,
        accountId: oid,
        claims,
        createdAt: new Date(now).toISOString(),
        createdBy: { id: session.vertex, name: objects.get(session.vertex).name },
        blocked: false,
      });
      notify(acct.clientId);
      return send(res, 201, { token });
    }
    if (m === 'DELETE') {
      for (const row of rows) if (!sub || row.jti === sub) row.blocked = true;
      notify(acct.clientId);
      return send(res, 200, {});
    }
  }
  r = /^\/v1\/collection\/([a-z-]+)\/search$/.exec(p);
  if (r) {
    const coll = kebab(r[1]);
    let list = [...vertices.values()].filter((v) => v.collection === coll);
    if (q.get('vertexId')) list = list.filter((v) => v.id === q.get('vertexId'));
    if (q.get('q'))
      list = list.filter((v) => v.name.toLowerCase().includes(q.get('q').toLowerCase()));
    if (q.get('upstreamVertex')) {
      const near = reachable(q.get('upstreamVertex'));
      list = list.filter((v) => near.has(v.id));
    }
    list.sort((a, b) => a.name.localeCompare(b.name) * (q.get('dir') === 'desc' ? -1 : 1));
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 10);
    return send(res, 200, {
      data: list.slice(offset, offset + limit).map((v) => combo(v.id)),
      meta: { total: list.length },
    });
  }
  r = /^\/v1\/collection\/([a-z-]+)\/([^/]+)(\/combo)?$/.exec(p);
  if (r) {
    const vid = vertexOfObject(r[2]);
    if (!vid) return fail(res, 404, 'Not found', 'Not Found');
    return send(res, 200, r[3] ? combo(vid) : objects.get(vid));
  }
  return fail(res, 404, 'Not found', 'Not Found');
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => fail(res, 500, String(err), 'Internal Server Error'));
});
server.listen(Number(port), host);
process.on('SIGTERM', () => process.exit(0));
