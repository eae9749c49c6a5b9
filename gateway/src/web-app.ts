import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RouteHandler, RouteResponse } from '@dishpatch/shared/http';
import { REPO_ROOT } from './supergraph-config.js';

/** Where the web app is served, and the production build (`npm run build -w web`) served there. */
export const WEB_APP_PATH = '/app';
export const WEB_APP_BUILD_DIR = resolve(REPO_ROOT, 'web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The app loads nothing from anywhere else, and talks to this gateway's /graphql only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names every file under assets/ by its content's hash: a new build is new URLs, so they never go stale. */
const HASHED_ASSET = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always asked again (a 200 is small). */
const ALWAYS_REVALIDATE = 'no-cache';

const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

/** The request's Accept-Encoding allows gzip (named, and not with q=0). */
function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.toLowerCase().split(';').map((piece) => piece.trim());
    const quality = params.find((param) => param.startsWith('q='));
    return coding === 'gzip' && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const notBuilt: RouteHandler = () => ({
  status: 503,
  body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dishpatch</title></head><body><p>The web app is not built: run <code>npm run build -w web</code> (npm start does it) and restart the gateway.</p></body></html>',
  contentType: 'text/html; charset=utf-8',
  headers: { 'cache-control': 'no-store' },
});

/**
 * The web app's production build at /app/, read once at start like the playground's assets.
 * Every path under /app/ that is not a file is one of the app's own pages (its router decides),
 * so it gets index.html. Without a build, /app/ says how to make one.
 */
export function webAppRoutes(buildDir: string = WEB_APP_BUILD_DIR): Record<string, RouteHandler> {
  const indexFile = join(buildDir, 'index.html');
  if (!existsSync(indexFile)) return { [`GET ${WEB_APP_PATH}`]: notBuilt, [`GET ${WEB_APP_PATH}/*`]: notBuilt };

  const index: RouteResponse = {
    status: 200,
    body: readFileSync(indexFile),
    contentType: CONTENT_TYPES['.html'],
    headers: { 'cache-control': ALWAYS_REVALIDATE, 'content-security-policy': CONTENT_SECURITY_POLICY },
  };
  const routes: Record<string, RouteHandler> = {
    [`GET ${WEB_APP_PATH}`]: () => ({ status: 308, body: '', contentType: 'text/plain; charset=utf-8', headers: { location: `${WEB_APP_PATH}/` } }),
    [`GET ${WEB_APP_PATH}/*`]: () => index,
  };
  for (const file of filesUnder(buildDir)) {
    const path = relative(buildDir, file).split('\\').join('/');
    if (path === 'index.html') continue;
    const contentType = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = { 'cache-control': path.startsWith('assets/') ? HASHED_ASSET : ALWAYS_REVALIDATE, 'x-content-type-options': 'nosniff', vary: 'accept-encoding' };
    const body = readFileSync(file);
    const plain: RouteResponse = { status: 200, body, contentType, headers };
    // Text compresses to about a third (the first load's JavaScript: 460 KiB, 130 KiB gzipped); compressed once, here.
    const gzipped: RouteResponse | undefined = COMPRESSIBLE.test(contentType)
      ? { status: 200, body: gzipSync(body, { level: 9 }), contentType, headers: { ...headers, 'content-encoding': 'gzip' } }
      : undefined;
    routes[`GET ${WEB_APP_PATH}/${path}`] = (req) => (gzipped && acceptsGzip(req.headers['accept-encoding']) ? gzipped : plain);
  }
  // A missing hashed asset is an old page asking for a build that is gone: a 404, never index.html as JavaScript.
  routes[`GET ${WEB_APP_PATH}/assets/*`] = () => ({ status: 404, body: 'Not found', contentType: 'text/plain; charset=utf-8', headers: { 'cache-control': 'no-store' } });
  return routes;
}
