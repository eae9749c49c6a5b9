/**
 * Renders a kustomization offline, as `kubectl kustomize` would, for the subset of kustomize
 * that deploy/kubernetes uses: resources (files and directories), namespace, labels, images,
 * replicas, JSON 6902 patches, and configMap/secret generators with their name-hash suffix
 * and the references to them rewritten. Any other field is refused by name rather than
 * ignored, so a rendering never silently differs from kustomize's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One rendered Kubernetes object. */
export interface Manifest extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string };
}

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

export interface RenderOptions {
  /**
   * What a generator's missing file becomes: an error (the default), or a placeholder value
   * (for checking an overlay whose secret files are, rightly, not in the repository).
   */
  missingGeneratorFiles?: 'fail' | 'placeholder';
}

export interface Rendering {
  manifests: Manifest[];
  /** Generator files (absolute paths) that were absent and rendered as placeholders. */
  placeholders: string[];
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion', 'kind', 'namespace', 'resources', 'labels', 'images', 'replicas', 'patches', 'configMapGenerator', 'secretGenerator',
]);
/** kubectl and kustomize read YAML 1.1: `0400` is octal (a file mode), `yes` a boolean. */
const YAML_AS_KUBECTL_READS_IT = { version: '1.1' } as const;
const WORKLOAD_TEMPLATE_PATHS: Record<string, string[][]> = {
  Deployment: [['spec', 'template']],
  StatefulSet: [['spec', 'template']],
  DaemonSet: [['spec', 'template']],
  ReplicaSet: [['spec', 'template']],
  Job: [['spec', 'template']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template']],
};

/** A generated ConfigMap or Secret before its name gets the hash of its content. */
interface Generated {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  data: Record<string, string>;
  /** What the namespace and labels transformers of its level and the levels above set. */
  metadata: JsonObject;
}

interface Level {
  manifests: Manifest[];
  generated: Generated[];
  placeholders: string[];
}

export function renderKustomization(directory: string, options: RenderOptions = {}): Rendering {
  const level = renderLevel(resolve(directory), options, []);
  const generatedManifests = level.generated.map(generatedManifest);
  const renamed = new Map(level.generated.map((generated, index) => [`${generated.kind}/${generated.name}`, generatedManifests[index]!.metadata.name]));
  for (const manifest of level.manifests) rewriteGeneratedReferences(manifest, renamed);
  return { manifests: [...generatedManifests, ...level.manifests], placeholders: level.placeholders };
}

function renderLevel(directory: string, options: RenderOptions, seen: string[]): Level {
  if (seen.includes(directory)) throw new KustomizeError(`${directory}: kustomization includes itself through ${seen.join(' -> ')}`);
  const file = join(directory, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeError(`${directory}: no kustomization.yaml`);
  const where = (field: string) => `${relative(process.cwd(), file)}: ${field}`;
  const kustomization = parse(readFileSync(file, 'utf8'), YAML_AS_KUBECTL_READS_IT) as JsonObject;
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new KustomizeError(`${where(field)}: not supported by this renderer (tooling/src/deploy/kustomize.ts)`);
  }

  const level: Level = { manifests: [], generated: [], placeholders: [] };
  for (const entry of arrayOf(kustomization['resources'], where('resources'))) {
    const path = resolve(directory, stringOf(entry, where('resources')));
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      const base = renderLevel(path, options, [...seen, directory]);
      level.manifests.push(...base.manifests);
      level.generated.push(...base.generated);
      level.placeholders.push(...base.placeholders);
    } else {
      level.manifests.push(...readManifests(path));
    }
  }
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const entry of arrayOf(kustomization[field], where(field))) {
      applyGenerator(level, kind, objectOf(entry, where(field)), directory, options, where(field));
    }
  }
  for (const entry of arrayOf(kustomization['patches'], where('patches'))) applyPatch(level.manifests, objectOf(entry, where('patches')), directory, where('patches'));

  const namespace = kustomization['namespace'];
  if (namespace !== undefined) {
    for (const metadata of [...level.manifests.map((manifest) => manifest.metadata), ...level.generated.map((generated) => generated.metadata)]) {
      metadata['namespace'] = stringOf(namespace, where('namespace'));
    }
  }
  for (const entry of arrayOf(kustomization['labels'], where('labels'))) applyLabels(level, objectOf(entry, where('labels')), where('labels'));
  for (const entry of arrayOf(kustomization['images'], where('images'))) applyImage(level.manifests, objectOf(entry, where('images')), where('images'));
  for (const entry of arrayOf(kustomization['replicas'], where('replicas'))) applyReplicas(level.manifests, objectOf(entry, where('replicas')), where('replicas'));
  return level;
}

function readManifests(path: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'), YAML_AS_KUBECTL_READS_IT);
  const manifests: Manifest[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new KustomizeError(`${relative(process.cwd(), path)}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Json;
    if (value === null) continue;
    const manifest = value as Manifest;
    if (typeof manifest.kind !== 'string' || typeof manifest.apiVersion !== 'string' || typeof manifest.metadata?.name !== 'string') {
      throw new KustomizeError(`${relative(process.cwd(), path)}: every document needs apiVersion, kind and metadata.name`);
    }
    manifests.push(manifest);
  }
  return manifests;
}

function applyGenerator(level: Level, kind: Generated['kind'], entry: JsonObject, directory: string, options: RenderOptions, where: string): void {
  const name = stringOf(entry['name'], `${where}.name`);
  const data: Record<string, string> = {};
  for (const literal of arrayOf(entry['literals'], `${where}[${name}].literals`)) {
    const [key, value] = splitPair(stringOf(literal, `${where}[${name}].literals`), `${where}[${name}].literals`);
    data[key] = value;
  }
  const readGeneratorFile = (path: string): string => {
    const absolute = resolve(directory, path);
    if (existsSync(absolute)) return readFileSync(absolute, 'utf8');
    if (options.missingGeneratorFiles !== 'placeholder') throw new KustomizeError(`${where}[${name}]: ${relative(process.cwd(), absolute)} does not exist`);
    level.placeholders.push(absolute);
    return '';
  };
  for (const source of arrayOf(entry['files'], `${where}[${name}].files`)) {
    const text = stringOf(source, `${where}[${name}].files`);
    const [key, path] = text.includes('=') ? splitPair(text, `${where}[${name}].files`) : [text.split('/').pop()!, text];
    data[key] = readGeneratorFile(path) || `placeholder-for-${key}`;
  }
  for (const source of arrayOf(entry['envs'], `${where}[${name}].envs`)) {
    const path = stringOf(source, `${where}[${name}].envs`);
    const text = readGeneratorFile(path);
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      const [key, value] = splitPair(line, `${where}[${name}].envs ${path}`);
      data[key] = value;
    }
  }
  const behavior = entry['behavior'] ?? 'create';
  const existing = level.generated.find((generated) => generated.kind === kind && generated.name === name);
  if (behavior === 'create') {
    if (existing) throw new KustomizeError(`${where}[${name}]: a ${kind} of that name is already generated (use behavior: merge or replace)`);
    level.generated.push({ kind, name, data, metadata: {} });
  } else if (behavior === 'merge' || behavior === 'replace') {
    if (!existing) throw new KustomizeError(`${where}[${name}]: behavior ${behavior} needs a ${kind} of that name from a base`);
    existing.data = behavior === 'merge' ? { ...existing.data, ...data } : data;
  } else {
    throw new KustomizeError(`${where}[${name}].behavior: ${JSON.stringify(behavior)} is not create, merge or replace`);
  }
}

function splitPair(text: string, where: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new KustomizeError(`${where}: ${JSON.stringify(text)} is not KEY=VALUE`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** The ConfigMap or Secret with kustomize's content hash in its name (api/hasher in kustomize). */
function generatedManifest(generated: Generated): Manifest {
  const sortedData = Object.fromEntries(Object.keys(generated.data).sort().map((key) => [key, generated.data[key]!]));
  const encodedData =
    generated.kind === 'Secret'
      ? Object.fromEntries(Object.entries(sortedData).map(([key, value]) => [key, kustomizeBase64(value)]))
      : sortedData;
  // Go's json.Marshal of a map writes its keys sorted: data, kind, name (and type for a Secret).
  // kustomize 5 looks the name up where the generated object has none yet: it hashes "" (as
  // checked against `kubectl kustomize` 5.5), so two generators with one content share a suffix.
  const hashed =
    generated.kind === 'Secret' ? { data: encodedData, kind: 'Secret', name: '', type: 'Opaque' } : { data: encodedData, kind: 'ConfigMap', name: '' };
  const suffix = kustomizeHashEncoding(createHash('sha256').update(JSON.stringify(hashed)).digest('hex'));
  const manifest: Manifest = { apiVersion: 'v1', kind: generated.kind, metadata: { ...generated.metadata, name: `${generated.name}-${suffix}` }, data: encodedData };
  if (generated.kind === 'Secret') manifest['type'] = 'Opaque';
  return manifest;
}

/** Base64 as kustomize writes a Secret's value: in lines of 70, each ending in a newline, once there are 70 or more. */
function kustomizeBase64(value: string): string {
  const encoded = Buffer.from(value).toString('base64');
  if (encoded.length < 70) return encoded;
  return (encoded.match(/.{1,70}/g) ?? []).map((line) => `${line}\n`).join('');
}

/** The first ten hex digits, with the characters that could spell words swapped as kustomize does. */
function kustomizeHashEncoding(hex: string): string {
  const swaps: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((character) => swaps[character] ?? character).join('');
}

/** Points every pod's reference to a generated ConfigMap or Secret at its hashed name. */
function rewriteGeneratedReferences(manifest: Manifest, renamed: Map<string, string>): void {
  for (const template of podTemplatesOf(manifest)) {
    const spec = template['spec'];
    if (!isObject(spec)) continue;
    const rename = (holder: Json | undefined, field: string, kind: Generated['kind']) => {
      if (!isObject(holder) || typeof holder[field] !== 'string') return;
      holder[field] = renamed.get(`${kind}/${holder[field]}`) ?? holder[field];
    };
    for (const container of containersOf(spec)) {
      for (const source of asArray(container['envFrom'])) {
        if (!isObject(source)) continue;
        rename(source['configMapRef'], 'name', 'ConfigMap');
        rename(source['secretRef'], 'name', 'Secret');
      }
      for (const variable of asArray(container['env'])) {
        const from = isObject(variable) ? variable['valueFrom'] : undefined;
        if (!isObject(from)) continue;
        rename(from['configMapKeyRef'], 'name', 'ConfigMap');
        rename(from['secretKeyRef'], 'name', 'Secret');
      }
    }
    for (const volume of asArray(spec['volumes'])) {
      if (!isObject(volume)) continue;
      rename(volume['configMap'], 'name', 'ConfigMap');
      rename(volume['secret'], 'secretName', 'Secret');
    }
  }
}

function applyPatch(manifests: Manifest[], entry: JsonObject, directory: string, where: string): void {
  const target = objectOf(entry['target'], `${where}.target`);
  const unsupported = Object.keys(target).filter((key) => key !== 'kind' && key !== 'name');
  if (unsupported.length > 0) throw new KustomizeError(`${where}.target: only kind and name are supported, not ${unsupported.join(', ')}`);
  const source = entry['path'] !== undefined ? readFileSync(resolve(directory, stringOf(entry['path'], `${where}.path`)), 'utf8') : stringOf(entry['patch'], `${where}.patch`);
  const operations = parse(source, YAML_AS_KUBECTL_READS_IT) as Json;
  const label = `${where}[${String(target['kind'])}/${String(target['name'])}]`;
  if (!Array.isArray(operations)) throw new KustomizeError(`${label}: only JSON 6902 patches (a list of operations) are supported`);
  const matched = manifests.filter((manifest) => manifest.kind === target['kind'] && manifest.metadata.name === target['name']);
  if (matched.length === 0) throw new KustomizeError(`${label}: no resource matches the target`);
  for (const manifest of matched) {
    for (const operation of operations) applyJsonPatchOperation(manifest, objectOf(operation, label), label);
  }
}

/** RFC 6902 add, replace and remove. */
function applyJsonPatchOperation(document: JsonObject, operation: JsonObject, where: string): void {
  const op = operation['op'];
  const path = stringOf(operation['path'], `${where}.path`);
  const tokens = path.split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop();
  if (last === undefined) throw new KustomizeError(`${where}: path ${JSON.stringify(path)} names no member`);
  let parent: Json = document;
  for (const token of tokens) {
    const child: Json | undefined = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
    if (child === undefined) throw new KustomizeError(`${where}: ${path}: ${token} does not exist`);
    parent = child;
  }
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new KustomizeError(`${where}: op ${JSON.stringify(op)} is not supported (add, replace, remove)`);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (op !== 'add' && index === parent.length)) {
      throw new KustomizeError(`${where}: ${path}: no element ${last}`);
    }
    if (op === 'add') parent.splice(index, 0, operation['value']!);
    else if (op === 'replace') parent[index] = operation['value']!;
    else parent.splice(index, 1);
  } else if (isObject(parent)) {
    if (op !== 'add' && !(last in parent)) throw new KustomizeError(`${where}: ${path} does not exist`);
    if (op === 'remove') delete parent[last];
    else parent[last] = operation['value']!;
  } else {
    throw new KustomizeError(`${where}: ${path}: its parent is not an object or a list`);
  }
}

function applyLabels(level: Level, entry: JsonObject, where: string): void {
  const unsupported = Object.keys(entry).filter((key) => key !== 'pairs' && key !== 'includeTemplates');
  if (unsupported.length > 0) throw new KustomizeError(`${where}: ${unsupported.join(', ')} not supported (selectors are never changed)`);
  const pairs = objectOf(entry['pairs'], `${where}.pairs`);
  for (const metadata of [...level.manifests.map((manifest) => manifest.metadata), ...level.generated.map((generated) => generated.metadata)]) {
    metadata['labels'] = { ...(isObject(metadata['labels']) ? metadata['labels'] : {}), ...pairs };
  }
  if (entry['includeTemplates'] !== true) return;
  for (const manifest of level.manifests) {
    for (const template of podTemplatesOf(manifest)) {
      const metadata = isObject(template['metadata']) ? template['metadata'] : (template['metadata'] = {});
      metadata['labels'] = { ...(isObject(metadata['labels']) ? metadata['labels'] : {}), ...pairs };
    }
  }
}

function applyImage(manifests: Manifest[], entry: JsonObject, where: string): void {
  const name = stringOf(entry['name'], `${where}.name`);
  for (const manifest of manifests) {
    for (const template of podTemplatesOf(manifest)) {
      const spec = template['spec'];
      if (!isObject(spec)) continue;
      for (const container of containersOf(spec)) {
        const image = container['image'];
        if (typeof image !== 'string') continue;
        const { repository, tag, digest } = splitImage(image);
        if (repository !== name) continue;
        const newName = entry['newName'] === undefined ? repository : stringOf(entry['newName'], `${where}[${name}].newName`);
        if (entry['digest'] !== undefined) container['image'] = `${newName}@${stringOf(entry['digest'], `${where}[${name}].digest`)}`;
        else if (entry['newTag'] !== undefined) container['image'] = `${newName}:${String(entry['newTag'])}`;
        else container['image'] = `${newName}${digest ? `@${digest}` : tag ? `:${tag}` : ''}`;
      }
    }
  }
}

function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image };
}

function applyReplicas(manifests: Manifest[], entry: JsonObject, where: string): void {
  const name = stringOf(entry['name'], `${where}.name`);
  const count = entry['count'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new KustomizeError(`${where}[${name}].count: must be a whole number`);
  const targets = manifests.filter((manifest) => manifest.metadata.name === name && isObject(manifest['spec']) && 'replicas' in manifest['spec']);
  if (targets.length === 0) throw new KustomizeError(`${where}[${name}]: no resource of that name has spec.replicas`);
  for (const manifest of targets) (manifest['spec'] as JsonObject)['replicas'] = count;
}

/** The pod templates of a workload (none for other kinds). */
export function podTemplatesOf(manifest: Manifest): JsonObject[] {
  const templates: JsonObject[] = [];
  for (const path of WORKLOAD_TEMPLATE_PATHS[manifest.kind] ?? []) {
    let node: Json | undefined = manifest;
    for (const key of path) node = isObject(node) ? node[key] : undefined;
    if (isObject(node)) templates.push(node);
  }
  return templates;
}

/** A pod spec's init containers and containers. */
export function containersOf(podSpec: JsonObject): JsonObject[] {
  return [...asArray(podSpec['initContainers']), ...asArray(podSpec['containers'])].filter(isObject);
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function arrayOf(value: Json | undefined, where: string): Json[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new KustomizeError(`${where}: must be a list`);
  return value;
}

function objectOf(value: Json | undefined, where: string): JsonObject {
  if (!isObject(value)) throw new KustomizeError(`${where}: must be a mapping`);
  return value;
}

function stringOf(value: Json | undefined, where: string): string {
  if (typeof value !== 'string') throw new KustomizeError(`${where}: must be a string`);
  return value;
}
