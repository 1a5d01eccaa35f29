import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(baseUrl: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('broker exited during start-up; see test-results/broker.log');
    try {
      const response = await fetch(`${baseUrl}/v1/health/ping`);
      if (response.status === 204) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`broker did not answer ${baseUrl}/v1/health/ping with 204 within 30 s`);
}

/** Imports the fixture graph into a fresh data dir and starts `broker serve` on a free port. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = process.env.BROKER_BIN;
  if (!bin || !existsSync(bin)) {
    throw new Error('Set BROKER_BIN to the path of the built broker binary');
  }
  const webRoot = path.join(repo, 'web', 'dist');
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html is missing: run "npm run build" in web/`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'broker-browser-'));
  const fixture = path.join(here, 'fixtures', 'graph.json');
  const imported = spawnSync(bin, ['import', fixture, '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  if (imported.status !== 0) {
    throw new Error(`broker import failed (${imported.status}): ${imported.stderr}`);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  mkdirSync(path.join(here, 'test-results'), { recursive: true });
  const log = createWriteStream(path.join(here, 'test-results', 'broker.log'));
  const child = spawn(
    bin,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-root', webRoot],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    await waitForPing(baseUrl, () => exited);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  process.env.BROKER_URL = baseUrl;

  return async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
