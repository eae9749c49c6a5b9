/**
 * A structural check of docker-compose.yml, offline (there is no container engine here): each
 * service is built from a target the Dockerfile has (or names an image), has a health check,
 * depends only on services that exist (healthy ones having a health check), sets only
 * variables its service reads, with values the service accepts, and reaches other services by
 * their compose names and only after depending on them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { generateSharedSecret } from '@dishpatch/shared/http';
import { isObject, type Json, type JsonObject } from './kustomize.js';
import type { Problem } from './manifest-checks.js';
import { RUNTIME_VARIABLES, SERVICE_CONFIGS } from './service-configs.js';

/** The `FROM ... AS <name>` stages of a Dockerfile. */
export function dockerfileTargets(dockerfile: string): Set<string> {
  return new Set([...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((match) => match[1]!.toLowerCase()));
}

/** `${VAR:?message}`, `${VAR:-default}`, `${VAR}` or `$VAR` as compose interpolates them; secrets get a strong stand-in. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return process.env[name] ?? generateSharedSecret();
  });
}

function environmentOf(service: JsonObject): Record<string, string> {
  const environment = service['environment'];
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map(String).map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), interpolate(entry.slice(at + 1))];
      }),
    );
  }
  if (!isObject(environment)) return {};
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(value === null ? '' : String(value))]));
}

function dependenciesOf(service: JsonObject): Map<string, string | undefined> {
  const dependsOn = service['depends_on'];
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [String(name), undefined]));
  if (!isObject(dependsOn)) return new Map();
  return new Map(Object.entries(dependsOn).map(([name, entry]) => [name, isObject(entry) && typeof entry['condition'] === 'string' ? entry['condition'] : undefined]));
}

function dependsOnTransitively(services: JsonObject, from: string, to: string): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const service = services[current];
    if (seen.has(current) || !isObject(service)) continue;
    seen.add(current);
    for (const dependency of dependenciesOf(service).keys()) {
      if (dependency === to) return true;
      pending.push(dependency);
    }
  }
  return false;
}

export function composeProblems(composeFile: string): Problem[] {
  const problems: Problem[] = [];
  const root = resolve(composeFile, '..');
  const document = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Json;
  const services = isObject(document) && isObject(document['services']) ? document['services'] : {};
  if (Object.keys(services).length === 0) problems.push({ object: 'compose', field: 'services', message: 'none' });
  const volumes = isObject(document) && isObject(document['volumes']) ? document['volumes'] : {};

  for (const [name, value] of Object.entries(services)) {
    const object = `compose service ${name}`;
    if (!isObject(value)) {
      problems.push({ object, field: '(service)', message: 'must be a mapping' });
      continue;
    }
    const service = value;
    const build = service['build'];
    let workspace: string | undefined;
    if (isObject(build)) {
      const context = resolve(root, String(build['context'] ?? '.'));
      const dockerfilePath = join(context, String(build['dockerfile'] ?? 'Dockerfile'));
      if (!existsSync(dockerfilePath)) {
        problems.push({ object, field: 'build.dockerfile', message: `${dockerfilePath} does not exist` });
      } else if (typeof build['target'] === 'string' && !dockerfileTargets(readFileSync(dockerfilePath, 'utf8')).has(build['target'].toLowerCase())) {
        problems.push({ object, field: 'build.target', message: `the Dockerfile has no stage ${build['target']}` });
      } else {
        workspace = typeof build['target'] === 'string' ? build['target'] : undefined;
      }
    } else if (typeof service['image'] !== 'string') {
      problems.push({ object, field: 'image', message: 'neither image nor build' });
    }

    const healthcheck = service['healthcheck'];
    if (!isObject(healthcheck) || !Array.isArray(healthcheck['test']) || healthcheck['test'].length < 2) {
      problems.push({ object, field: 'healthcheck.test', message: 'every service needs a health check (depends_on waits on it)' });
    }

    const dependencies = dependenciesOf(service);
    for (const [dependency, condition] of dependencies) {
      const target = services[dependency];
      if (!isObject(target)) {
        problems.push({ object, field: `depends_on.${dependency}`, message: 'no such service' });
      } else if (condition === 'service_healthy' && !isObject(target['healthcheck'])) {
        problems.push({ object, field: `depends_on.${dependency}.condition`, message: `service_healthy, but ${dependency} has no health check` });
      }
    }

    for (const mount of Array.isArray(service['volumes']) ? service['volumes'] : []) {
      const source = String(mount).split(':')[0]!;
      if (!source.startsWith('.') && !source.startsWith('/') && !(source in volumes)) {
        problems.push({ object, field: `volumes[${source}]`, message: 'a named volume the top-level volumes do not declare' });
      }
    }

    const environment = environmentOf(service);
    for (const [variable, text] of Object.entries(environment)) {
      let url: URL | undefined;
      try {
        url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? new URL(text) : undefined;
      } catch {
        url = undefined;
      }
      if (!url || url.hostname === '' || url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname)) continue;
      if (!(url.hostname in services)) problems.push({ object, field: `environment.${variable}`, message: `${url.hostname} is not a service of this file` });
      else if (!dependsOnTransitively(services, name, url.hostname)) problems.push({ object, field: `environment.${variable}`, message: `reaches ${url.hostname}, which it does not depend on (depends_on, directly or through another service)` });
    }

    const config = workspace === undefined ? undefined : SERVICE_CONFIGS[workspace];
    if (!config) continue;
    for (const variable of Object.keys(environment)) {
      if (!config.variables.has(variable) && !RUNTIME_VARIABLES.has(variable)) problems.push({ object, field: `environment.${variable}`, message: `not read by ${workspace}` });
    }
    try {
      config.load(environment);
    } catch (error) {
      problems.push({ object, field: 'environment', message: `${workspace} refuses it: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}` });
    }
  }
  return problems;
}
