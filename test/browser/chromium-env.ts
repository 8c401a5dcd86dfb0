import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

/**
 * What the browser suites share: where Debian's Chromium is (scripts/install-browser.sh), whether
 * it is there and whether CI requires it (REQUIRE_BROWSER=1 turns its absence into a failure),
 * its launch flags, and a static file server on a free loopback port.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const present = existsSync(CHROMIUM);
export const required = process.env.REQUIRE_BROWSER === '1';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Says once per suite why it skips. */
export function sayIfSkipped(): void {
  if (!present && !required) console.log(`[browser] skipped: no Chromium at ${CHROMIUM} (scripts/install-browser.sh installs it; REQUIRE_BROWSER=1 makes this a failure)`);
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png' };

/** Where a request path is served from (inside one of `roots`), with extra headers; undefined: 404. */
export type Route = (url: string) => { file: string; headers?: Record<string, string> } | undefined;

/** Serves files by `route`, never outside `roots`, uncached; resolves with the server and its base URL. */
export function serveFiles(roots: readonly string[], route: Route): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const found = route(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = found?.file;
    const inside = file !== undefined && roots.some((r) => path.resolve(file).startsWith(r + path.sep));
    if (!inside || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...found!.headers });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, base: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}
