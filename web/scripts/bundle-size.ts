/**
 * Prints what a first visit to /app/ downloads: the JavaScript and CSS that index.html loads
 * (its entry and the modules it preloads), raw and gzipped. Run after `vite build`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = join(import.meta.dirname, '../dist');
const BUDGET_GZIP_BYTES = 250 * 1024;
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const assets = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
let jsGzip = 0;
for (const asset of assets) {
  const content = readFileSync(join(DIST, asset));
  const gzipped = gzipSync(content, { level: 9 }).length;
  if (asset.endsWith('.js')) jsGzip += gzipped;
  console.log(`  ${asset.padEnd(40)} ${kib(content.length).padStart(10)}  gzip ${kib(gzipped).padStart(9)}`);
}
console.log(`first load: ${kib(jsGzip)} of gzipped JavaScript (budget ${kib(BUDGET_GZIP_BYTES)})`);
if (jsGzip > BUDGET_GZIP_BYTES) {
  console.error('over budget');
  process.exit(1);
}
