/**
 * Checks rendered Kubernetes manifests: each object against the Kubernetes OpenAPI schema of
 * its kind (kubernetes-models, offline), then the project's own rules. Every problem names the
 * object (Kind/name) and the field.
 */
import { containersOf, isObject, podTemplatesOf, type Json, type JsonObject, type Manifest } from './kustomize.js';
import { readConfig, SERVICE_CONFIG_LOADERS } from './service-configs.js';

/** The schemas' version: kubernetes-models 5.x is generated from Kubernetes 1.36's OpenAPI. */
export const KUBERNETES_SCHEMA_VERSION = 'Kubernetes 1.36 (kubernetes-models 5.1.0)';

export interface Problem {
  /** Kind/name. */
  object: string;
  /** The field, as a path (spec.template.spec.containers[gateway].readinessProbe). */
  field: string;
  message: string;
}

export function describeProblem(problem: Problem): string {
  return `${problem.object}: ${problem.field}: ${problem.message}`;
}

const idOf = (manifest: Manifest) => `${manifest.kind}/${manifest.metadata.name}`;

/** Kinds outside Kubernetes itself (CRDs) that a rendering may hold, and how each is checked instead. */
const CUSTOM_KINDS: Record<string, (manifest: Manifest) => Problem[]> = {
  'external-secrets.io/v1/ExternalSecret': (manifest) => {
    const problems: Problem[] = [];
    const spec = manifest['spec'];
    const required: [string, Json | undefined][] = [
      ['spec.secretStoreRef.name', isObject(spec) && isObject(spec['secretStoreRef']) ? spec['secretStoreRef']['name'] : undefined],
      ['spec.target.name', isObject(spec) && isObject(spec['target']) ? spec['target']['name'] : undefined],
    ];
    for (const [field, value] of required) {
      if (typeof value !== 'string' || value === '') problems.push({ object: idOf(manifest), field, message: 'required' });
    }
    if (!isObject(spec) || !Array.isArray(spec['data']) || spec['data'].length === 0) problems.push({ object: idOf(manifest), field: 'spec.data', message: 'names no secret key' });
    return problems;
  },
};

interface ValidationErrorLike {
  errors?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  message: string;
}

/** Validates each object against its kind's schema; a kind that is neither Kubernetes's nor a known CRD is a problem. */
export async function schemaProblems(manifests: Manifest[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const manifest of manifests) {
    const custom = CUSTOM_KINDS[`${manifest.apiVersion}/${manifest.kind}`];
    if (custom) {
      problems.push(...custom(manifest));
      continue;
    }
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    try {
      const module = (await import(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
      Model = module[manifest.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push({ object: idOf(manifest), field: 'apiVersion', message: `${manifest.apiVersion} ${manifest.kind} is not a kind of ${KUBERNETES_SCHEMA_VERSION}` });
      continue;
    }
    try {
      new Model(asTheApiServerDecodesIt(manifest)).validate();
    } catch (error) {
      const errors = (error as ValidationErrorLike).errors ?? [];
      if (errors.length === 0) problems.push({ object: idOf(manifest), field: '(object)', message: (error as Error).message });
      for (const detail of errors) {
        const missing = typeof detail.params?.['missingProperty'] === 'string' ? `.${detail.params['missingProperty']}` : '';
        problems.push({ object: idOf(manifest), field: `${dottedPath(detail.instancePath ?? '')}${missing}` || '(object)', message: detail.message ?? 'invalid' });
      }
    }
  }
  return problems;
}

/**
 * kustomize writes a long Secret value's base64 in lines of 70; the API server's decoder skips
 * the newlines, the schema's `byte` format does not: validate the value the server reads.
 */
function asTheApiServerDecodesIt(manifest: Manifest): Manifest {
  if (manifest.kind !== 'Secret' || !isObject(manifest['data'])) return manifest;
  const data = Object.fromEntries(Object.entries(manifest['data']).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/\n/g, '') : value]));
  return { ...manifest, data };
}

/** `/spec/template/spec/containers/0/ports` as `spec.template.spec.containers[0].ports`. */
function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : path ? `${path}.${token}` : token), '');
}

interface PodOwner {
  manifest: Manifest;
  /** The pod template's path inside the object. */
  path: string;
  labels: Record<string, string>;
  spec: JsonObject;
  longRunning: boolean;
}

function podOwnersOf(manifests: Manifest[]): PodOwner[] {
  return manifests.flatMap((manifest) =>
    podTemplatesOf(manifest).map((template) => ({
      manifest,
      path: manifest.kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template',
      labels: stringRecord(isObject(template['metadata']) ? template['metadata']['labels'] : undefined),
      spec: isObject(template['spec']) ? template['spec'] : {},
      longRunning: manifest.kind !== 'Job' && manifest.kind !== 'CronJob',
    })),
  );
}

function stringRecord(value: Json | undefined): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Whether a label selector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist) selects these labels. */
function selects(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = stringRecord(selector['matchLabels']);
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  const expressions = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'].filter(isObject) : [];
  return expressions.every((expression) => {
    const key = String(expression['key']);
    const values = Array.isArray(expression['values']) ? expression['values'].map(String) : [];
    switch (expression['operator']) {
      case 'In':
        return key in labels && values.includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

/** The project's rules for every rendered object; see deploy/kubernetes/README.md. */
export function ruleProblems(manifests: Manifest[]): Problem[] {
  const owners = podOwnersOf(manifests);
  return [
    ...owners.flatMap(containerProblems),
    ...owners.flatMap((owner) => referenceProblems(owner, manifests)),
    ...owners.flatMap((owner) => environmentProblems(owner, manifests)),
    ...disruptionBudgetProblems(manifests, owners),
    ...autoscalerProblems(manifests),
    ...serviceProblems(manifests, owners),
    ...networkPolicyProblems(manifests, owners),
  ];
}

function containerProblems(owner: PodOwner): Problem[] {
  const problems: Problem[] = [];
  const object = idOf(owner.manifest);
  const podSecurity = isObject(owner.spec['securityContext']) ? owner.spec['securityContext'] : {};
  const podSeccomp = isObject(podSecurity['seccompProfile']) ? podSecurity['seccompProfile']['type'] : undefined;
  for (const container of containersOf(owner.spec)) {
    const at = `${owner.path}.spec.containers[${String(container['name'])}]`;
    const problem = (field: string, message: string) => problems.push({ object, field: `${at}.${field}`, message });
    const security = isObject(container['securityContext']) ? container['securityContext'] : {};
    if (security['runAsNonRoot'] !== true && podSecurity['runAsNonRoot'] !== true) problem('securityContext.runAsNonRoot', 'must be true (here or in the pod)');
    if (security['readOnlyRootFilesystem'] !== true) problem('securityContext.readOnlyRootFilesystem', 'must be true');
    if (security['allowPrivilegeEscalation'] !== false) problem('securityContext.allowPrivilegeEscalation', 'must be false');
    const dropped = isObject(security['capabilities']) && Array.isArray(security['capabilities']['drop']) ? security['capabilities']['drop'] : [];
    if (!dropped.includes('ALL')) problem('securityContext.capabilities.drop', 'must drop ALL');
    const seccomp = isObject(security['seccompProfile']) ? security['seccompProfile']['type'] : podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problem('securityContext.seccompProfile.type', 'must be RuntimeDefault (here or in the pod)');
    const resources = isObject(container['resources']) ? container['resources'] : {};
    for (const bound of ['requests', 'limits'] as const) {
      const values = isObject(resources[bound]) ? resources[bound] : {};
      for (const resource of ['cpu', 'memory']) {
        if (values[resource] === undefined) problem(`resources.${bound}.${resource}`, 'missing');
      }
    }
    if (!owner.longRunning) continue;
    const ports = (Array.isArray(container['ports']) ? container['ports'] : []).filter(isObject);
    for (const [probe, path] of [['readinessProbe', '/ready'], ['livenessProbe', '/health']] as const) {
      const definition = container[probe];
      if (!isObject(definition)) {
        problem(probe, `missing; every long-running container needs one (GET ${path})`);
        continue;
      }
      const httpGet = definition['httpGet'];
      if (!isObject(httpGet)) continue;
      if (httpGet['path'] !== path) problem(`${probe}.httpGet.path`, `is ${JSON.stringify(httpGet['path'])}; the services answer this probe on ${path}`);
      const port = httpGet['port'];
      if (!ports.some((entry) => entry['name'] === port || entry['containerPort'] === port)) problem(`${probe}.httpGet.port`, `${JSON.stringify(port)} is not a port of the container`);
    }
  }
  return problems;
}

/** Every ConfigMap and Secret a pod names exists in the rendering (a Secret may come from an ExternalSecret). */
function referenceProblems(owner: PodOwner, manifests: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  const object = idOf(owner.manifest);
  const configMaps = new Map(manifests.filter((manifest) => manifest.kind === 'ConfigMap').map((manifest) => [manifest.metadata.name, stringRecord(manifest['data'])]));
  const secrets = new Set([
    ...manifests.filter((manifest) => manifest.kind === 'Secret').map((manifest) => manifest.metadata.name),
    ...manifests
      .filter((manifest) => manifest.kind === 'ExternalSecret')
      .map((manifest) => (isObject(manifest['spec']) && isObject(manifest['spec']['target']) ? String(manifest['spec']['target']['name']) : manifest.metadata.name)),
  ]);
  const check = (field: string, kind: 'ConfigMap' | 'Secret', name: Json | undefined, key?: Json) => {
    if (typeof name !== 'string') return;
    if (kind === 'Secret' ? !secrets.has(name) : !configMaps.has(name)) problems.push({ object, field, message: `${kind} ${name} is not in the rendering` });
    else if (kind === 'ConfigMap' && typeof key === 'string' && !(key in configMaps.get(name)!)) problems.push({ object, field, message: `ConfigMap ${name} has no key ${key}` });
  };
  for (const container of containersOf(owner.spec)) {
    const at = `${owner.path}.spec.containers[${String(container['name'])}]`;
    for (const [index, source] of (Array.isArray(container['envFrom']) ? container['envFrom'] : []).entries()) {
      if (!isObject(source)) continue;
      if (isObject(source['configMapRef'])) check(`${at}.envFrom[${index}].configMapRef.name`, 'ConfigMap', source['configMapRef']['name']);
      if (isObject(source['secretRef'])) check(`${at}.envFrom[${index}].secretRef.name`, 'Secret', source['secretRef']['name']);
    }
    for (const variable of (Array.isArray(container['env']) ? container['env'] : []).filter(isObject)) {
      const from = variable['valueFrom'];
      if (!isObject(from)) continue;
      const field = `${at}.env[${String(variable['name'])}].valueFrom`;
      if (isObject(from['configMapKeyRef'])) check(`${field}.configMapKeyRef`, 'ConfigMap', from['configMapKeyRef']['name'], from['configMapKeyRef']['key']);
      if (isObject(from['secretKeyRef'])) check(`${field}.secretKeyRef`, 'Secret', from['secretKeyRef']['name']);
    }
  }
  for (const volume of (Array.isArray(owner.spec['volumes']) ? owner.spec['volumes'] : []).filter(isObject)) {
    const at = `${owner.path}.spec.volumes[${String(volume['name'])}]`;
    if (isObject(volume['configMap'])) check(`${at}.configMap.name`, 'ConfigMap', volume['configMap']['name']);
    if (isObject(volume['secret'])) check(`${at}.secret.secretName`, 'Secret', volume['secret']['secretName']);
  }
  return problems;
}

/**
 * A dishpatch container's variables are ones its service reads, and their literal values (and
 * its ConfigMaps') pass the service's own validation (those from Secrets are not known here). The service is the image's last path
 * segment (dishpatch/gateway:1.2 is gateway).
 */
function environmentProblems(owner: PodOwner, manifests: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  const object = idOf(owner.manifest);
  const configMaps = new Map(manifests.filter((manifest) => manifest.kind === 'ConfigMap').map((manifest) => [manifest.metadata.name, stringRecord(manifest['data'])]));
  for (const container of containersOf(owner.spec)) {
    const image = typeof container['image'] === 'string' ? container['image'] : '';
    const service = image.replace(/[@:][^/]*$/, '').split('/').pop() ?? '';
    const load = SERVICE_CONFIG_LOADERS[service];
    if (!load) continue;
    // Every variable the config reads is read when it loads its defaults.
    const variables = readConfig(load, {}).read;
    const at = `${owner.path}.spec.containers[${String(container['name'])}]`;
    const environment: NodeJS.ProcessEnv = {};
    for (const source of (Array.isArray(container['envFrom']) ? container['envFrom'] : []).filter(isObject)) {
      const name = isObject(source['configMapRef']) ? source['configMapRef']['name'] : undefined;
      for (const [variable, value] of Object.entries(configMaps.get(String(name)) ?? {})) {
        if (!variables.has(variable)) problems.push({ object, field: `${at}.envFrom[${String(name)}]`, message: `${variable} is not read by ${service}` });
        environment[variable] = value;
      }
    }
    for (const variable of (Array.isArray(container['env']) ? container['env'] : []).filter(isObject)) {
      const name = String(variable['name']);
      if (!variables.has(name)) problems.push({ object, field: `${at}.env[${name}]`, message: `${name} is not read by ${service}` });
      if (typeof variable['value'] === 'string') environment[name] = variable['value'];
    }
    try {
      load(environment);
    } catch (error) {
      problems.push({ object, field: `${at}.env`, message: `${service} refuses it: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}` });
    }
  }
  return problems;
}

/** Every Deployment has a PodDisruptionBudget over its pods, which still lets one pod go. */
function disruptionBudgetProblems(manifests: Manifest[], owners: PodOwner[]): Problem[] {
  const problems: Problem[] = [];
  const budgets = manifests.filter((manifest) => manifest.kind === 'PodDisruptionBudget');
  for (const owner of owners.filter((candidate) => candidate.manifest.kind === 'Deployment')) {
    const object = idOf(owner.manifest);
    const budget = budgets.find((candidate) => isObject(candidate['spec']) && selects(candidate['spec']['selector'], owner.labels));
    if (!budget) {
      problems.push({ object, field: 'spec.template.metadata.labels', message: 'no PodDisruptionBudget selects these pods' });
      continue;
    }
    const minAvailable = isObject(budget['spec']) ? budget['spec']['minAvailable'] : undefined;
    const replicas = isObject(owner.manifest['spec']) ? owner.manifest['spec']['replicas'] : undefined;
    if (typeof minAvailable === 'number' && typeof replicas === 'number' && replicas <= minAvailable) {
      problems.push({ object, field: 'spec.replicas', message: `${replicas} replicas with ${idOf(budget)} minAvailable ${minAvailable}: no pod could ever be evicted (a node drain would hang)` });
    }
  }
  return problems;
}

/** An autoscaler targets a Deployment of the rendering, whose containers request the resource it scales on. */
function autoscalerProblems(manifests: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  for (const autoscaler of manifests.filter((manifest) => manifest.kind === 'HorizontalPodAutoscaler')) {
    const object = idOf(autoscaler);
    const spec = isObject(autoscaler['spec']) ? autoscaler['spec'] : {};
    const target = isObject(spec['scaleTargetRef']) ? spec['scaleTargetRef'] : {};
    const deployment = manifests.find((manifest) => manifest.kind === target['kind'] && manifest.metadata.name === target['name']);
    if (!deployment) {
      problems.push({ object, field: 'spec.scaleTargetRef', message: `${String(target['kind'])}/${String(target['name'])} is not in the rendering` });
      continue;
    }
    if (typeof spec['minReplicas'] === 'number' && typeof spec['maxReplicas'] === 'number' && spec['minReplicas'] > spec['maxReplicas']) {
      problems.push({ object, field: 'spec.minReplicas', message: `above maxReplicas ${spec['maxReplicas']}` });
    }
    const replicas = isObject(deployment['spec']) ? deployment['spec']['replicas'] : undefined;
    if (typeof spec['minReplicas'] === 'number' && typeof replicas === 'number' && replicas < spec['minReplicas']) {
      problems.push({ object, field: 'spec.minReplicas', message: `${spec['minReplicas']} is above ${idOf(deployment)}'s ${replicas} replicas: every apply would scale it down, then the autoscaler up` });
    }
    for (const metric of (Array.isArray(spec['metrics']) ? spec['metrics'] : []).filter(isObject)) {
      const resource = isObject(metric['resource']) ? metric['resource'] : undefined;
      if (!resource) continue;
      for (const template of podTemplatesOf(deployment)) {
        for (const container of containersOf(isObject(template['spec']) ? template['spec'] : {})) {
          const requests = isObject(container['resources']) && isObject(container['resources']['requests']) ? container['resources']['requests'] : {};
          if (requests[String(resource['name'])] === undefined) {
            problems.push({ object, field: 'spec.metrics', message: `scales on ${String(resource['name'])} utilization, but ${idOf(deployment)} container ${String(container['name'])} requests none` });
          }
        }
      }
    }
  }
  return problems;
}

/** A Service selects pods of the rendering, and each of its target ports is a port of those pods. */
function serviceProblems(manifests: Manifest[], owners: PodOwner[]): Problem[] {
  const problems: Problem[] = [];
  for (const service of manifests.filter((manifest) => manifest.kind === 'Service')) {
    const object = idOf(service);
    const spec = isObject(service['spec']) ? service['spec'] : {};
    const selector = stringRecord(spec['selector']);
    const selected = owners.filter((owner) => Object.keys(selector).length > 0 && selects({ matchLabels: selector }, owner.labels));
    if (selected.length === 0) {
      problems.push({ object, field: 'spec.selector', message: `${JSON.stringify(selector)} selects no pod of the rendering` });
      continue;
    }
    for (const port of (Array.isArray(spec['ports']) ? spec['ports'] : []).filter(isObject)) {
      const target = port['targetPort'] ?? port['port'];
      const served = selected.every((owner) =>
        containersOf(owner.spec).some((container) =>
          (Array.isArray(container['ports']) ? container['ports'] : []).filter(isObject).some((entry) => entry['name'] === target || entry['containerPort'] === target),
        ),
      );
      if (!served) problems.push({ object, field: `spec.ports[${String(port['name'] ?? port['port'])}].targetPort`, message: `${JSON.stringify(target)} is not a port of the selected pods` });
    }
  }
  return problems;
}

/** A NetworkPolicy that names pods selects some: a misspelt label would leave them unprotected or cut off. */
function networkPolicyProblems(manifests: Manifest[], owners: PodOwner[]): Problem[] {
  const problems: Problem[] = [];
  for (const policy of manifests.filter((manifest) => manifest.kind === 'NetworkPolicy')) {
    const spec = isObject(policy['spec']) ? policy['spec'] : {};
    const selector = spec['podSelector'];
    const selectsAll = isObject(selector) && Object.keys(selector).length === 0;
    if (!selectsAll && !owners.some((owner) => selects(selector, owner.labels))) {
      problems.push({ object: idOf(policy), field: 'spec.podSelector', message: 'selects no pod of the rendering' });
    }
    for (const [direction, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
      for (const [index, rule] of (Array.isArray(spec[direction]) ? spec[direction] : []).entries()) {
        if (!isObject(rule)) continue;
        for (const [peerIndex, peer] of (Array.isArray(rule[peersField]) ? rule[peersField] : []).entries()) {
          // A peer with a namespaceSelector may name pods elsewhere (DNS, monitoring); one without names pods here.
          if (!isObject(peer) || !isObject(peer['podSelector']) || peer['namespaceSelector'] !== undefined) continue;
          const podSelector = peer['podSelector'];
          if (Object.keys(podSelector).length > 0 && !owners.some((owner) => selects(podSelector, owner.labels)) && !namesOperatorPods(podSelector)) {
            problems.push({ object: idOf(policy), field: `spec.${direction}[${index}].${peersField}[${peerIndex}].podSelector`, message: 'selects no pod of the rendering' });
          }
        }
      }
    }
  }
  return problems;
}

/** Pods an operator makes (a CloudNativePG cluster, a Redis): not in the rendering, named by the operator's labels. */
function namesOperatorPods(selector: JsonObject): boolean {
  const labels = Object.keys(stringRecord(selector['matchLabels']));
  return labels.length > 0 && labels.every((label) => !label.startsWith('app.kubernetes.io/'));
}
