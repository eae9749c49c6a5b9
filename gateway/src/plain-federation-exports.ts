import { createRequire } from 'node:module';

/**
 * @apollo/federation-internals re-exports its modules through TypeScript's export getters, a
 * closure per name, and Apollo Gateway's result shaping calls through them for every field of
 * every response: V8 does not inline accessors reached from so many call sites, and under the
 * menu benchmark those getters were a tenth of the gateway's CPU. Imported before
 * @apollo/gateway, this puts a plain copy of the package's exports (the same functions and
 * classes, read once) in the CommonJS module cache, which every later `require` of it gets.
 * The package assigns its exports once, when loaded, so the copy never falls behind.
 */
const require = createRequire(import.meta.url);
const path = require.resolve('@apollo/federation-internals');
const loaded = require(path) as Record<string, unknown>;
const cached = require.cache[path];
if (cached) cached.exports = Object.defineProperty({ ...loaded }, '__esModule', { value: true });
