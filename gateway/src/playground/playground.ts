import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from '@dishpatch/shared/http';

const require = createRequire(import.meta.url);

/** A file inside an installed package, even one its `exports` map does not list (React's UMD builds). */
function packageFile(packageName: string, file: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), file);
}

/** Everything the page loads, from the project's own node_modules: nothing comes from a CDN. */
const ASSETS = {
  '/playground/react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  '/playground/react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  '/playground/graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  '/playground/graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  '/playground/start.js': { file: fileURLToPath(new URL('./start.js', import.meta.url)), type: 'text/javascript' },
} as const;

export const DEFAULT_PLAYGROUND_QUERY = `# Welcome to dishpatch. Run this query with the
# ▶ button (or Ctrl-Enter) to see the menu.
#
# To act as someone: run a login mutation
# (see examples/login.graphql), copy its accessToken,
# and put this in the Headers tab below:
#   { "Authorization": "Bearer <accessToken>" }

query Menu {
  menu {
    id
    name
    description
    price
    quantity
  }
}
`;

const DEFAULT_HEADERS = '{}';

/**
 * The page allows scripts, styles and requests from this origin only: the playground works
 * offline because it cannot load anything from anywhere else.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and CodeMirror set inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

function escapeForScriptTag(json: string): string {
  return json.replace(/</g, '\\u003c');
}

function pageHtml(graphqlPath: string): string {
  const settings = escapeForScriptTag(
    JSON.stringify({ graphqlPath, defaultQuery: DEFAULT_PLAYGROUND_QUERY, defaultHeaders: DEFAULT_HEADERS }),
  );
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>dishpatch playground</title>
  <link rel="stylesheet" href="/playground/graphiql.min.css">
  <style>html, body, #playground { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="playground">Loading the playground…</div>
  <script type="application/json" id="playground-settings">${settings}</script>
  <script src="/playground/react.production.min.js"></script>
  <script src="/playground/react-dom.production.min.js"></script>
  <script src="/playground/graphiql.min.js"></script>
  <script src="/playground/start.js"></script>
</body>
</html>
`;
}

/** GraphiQL at `/` and `/playground`, and the files it needs, read once at start. */
export function playgroundRoutes(graphqlPath: string): Record<string, RouteHandler> {
  const page = pageHtml(graphqlPath);
  const pageResponse = () => ({
    status: 200,
    body: page,
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-cache' },
  });
  const routes: Record<string, RouteHandler> = {
    'GET /': pageResponse,
    'GET /playground': pageResponse,
    // Browsers ask for it on every visit; an empty answer keeps a 404 out of their console.
    'GET /favicon.ico': () => ({ status: 204, body: '', contentType: 'image/x-icon' }),
  };
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(asset.file, 'utf8');
    routes[`GET ${path}`] = () => ({
      status: 200,
      body,
      contentType: `${asset.type}; charset=utf-8`,
      headers: { 'cache-control': 'public, max-age=3600' },
    });
  }
  return routes;
}
