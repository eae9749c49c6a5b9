import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../gateway/src/supergraph-config.js';
import { KustomizeError, renderKustomization, type JsonObject, type Manifest } from '../src/deploy/kustomize.js';
import { describeProblem, ruleProblems, schemaProblems } from '../src/deploy/manifest-checks.js';

const KUBERNETES = join(REPO_ROOT, 'deploy/kubernetes');
const OVERLAYS = ['dev', 'production'];
const scratch: string[] = [];
after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function scratchFolder(label: string): string {
  const folder = mkdtempSync(join(tmpdir(), `dishpatch-deploy-${label}-`));
  scratch.push(folder);
  return folder;
}

function render(overlay: string): Manifest[] {
  return renderKustomization(join(KUBERNETES, 'overlays', overlay), { missingGeneratorFiles: 'placeholder' }).manifests;
}

async function problemsOf(manifests: Manifest[]): Promise<string[]> {
  return [...(await schemaProblems(manifests)), ...ruleProblems(manifests)].map(describeProblem);
}

function find(manifests: Manifest[], id: string): JsonObject {
  const found = manifests.find((manifest) => `${manifest.kind}/${manifest.metadata.name}` === id);
  assert.ok(found, `${id} is rendered`);
  return found;
}

/** The first container of a workload's pod template. */
function containerOf(manifests: Manifest[], id: string): JsonObject {
  const template = ((find(manifests, id)['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject;
  return (template['containers'] as JsonObject[])[0]!;
}

/** Asserts that the problems include one naming exactly this object and field (and, if given, saying this). */
function assertNamed(problems: string[], object: string, field: string, saying = ''): void {
  assert.ok(
    problems.some((problem) => problem.startsWith(`${object}: ${field}: `) && problem.includes(saying)),
    `expected a problem "${object}: ${field}: ...${saying}...", got:\n  ${problems.join('\n  ')}`,
  );
}

describe('deploy/kubernetes: rendering and checks', () => {
  for (const overlay of OVERLAYS) {
    it(`the ${overlay} overlay passes the Kubernetes schemas and the project's rules`, async () => {
      assert.deepEqual(await problemsOf(render(overlay)), []);
    });
  }

  it('every Deployment runs at least two replicas in every overlay, the worker included', () => {
    for (const overlay of OVERLAYS) {
      for (const deployment of render(overlay).filter((manifest) => manifest.kind === 'Deployment')) {
        const replicas = (deployment['spec'] as JsonObject)['replicas'];
        assert.ok(typeof replicas === 'number' && replicas >= 2, `${overlay}: Deployment/${deployment.metadata.name} has ${String(replicas)} replicas`);
      }
    }
  });

  it('rejects a manifest that breaks the schema, naming the object and the field', async () => {
    const manifests = render('dev');
    (find(manifests, 'Deployment/gateway')['spec'] as JsonObject)['replicas'] = 'two';
    delete (containerOf(manifests, 'Deployment/auth')['ports'] as JsonObject[])[0]!['containerPort'];
    const problems = await schemaProblems(manifests);
    assertNamed(problems.map(describeProblem), 'Deployment/gateway', 'spec.replicas', 'must be integer');
    assertNamed(problems.map(describeProblem), 'Deployment/auth', 'spec.template.spec.containers[0].ports[0].containerPort', 'required');
  });

  it('rejects a container without probes, limits or the hardened security context', async () => {
    const manifests = render('production');
    delete containerOf(manifests, 'Deployment/orders')['readinessProbe'];
    ((containerOf(manifests, 'Deployment/gateway')['livenessProbe'] as JsonObject)['httpGet'] as JsonObject)['path'] = '/ready';
    delete ((containerOf(manifests, 'Deployment/worker')['resources'] as JsonObject)['limits'] as JsonObject)['memory'];
    const security = containerOf(manifests, 'Deployment/auth')['securityContext'] as JsonObject;
    delete security['runAsNonRoot'];
    security['readOnlyRootFilesystem'] = false;
    delete (((find(manifests, 'Deployment/auth')['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['securityContext'];
    const problems = await problemsOf(manifests);
    assertNamed(problems, 'Deployment/orders', 'spec.template.spec.containers[orders].readinessProbe', 'missing');
    assertNamed(problems, 'Deployment/gateway', 'spec.template.spec.containers[gateway].livenessProbe.httpGet.path', '/health');
    assertNamed(problems, 'Deployment/worker', 'spec.template.spec.containers[worker].resources.limits.memory', 'missing');
    assertNamed(problems, 'Deployment/auth', 'spec.template.spec.containers[auth].securityContext.runAsNonRoot', 'must be true');
    assertNamed(problems, 'Deployment/auth', 'spec.template.spec.containers[auth].securityContext.readOnlyRootFilesystem', 'must be true');
    assertNamed(problems, 'Deployment/auth', 'spec.template.spec.containers[auth].securityContext.seccompProfile.type', 'RuntimeDefault');
  });

  it('rejects a Deployment without a disruption budget, an autoscaler without its Deployment and a Service that selects nothing', async () => {
    const manifests = render('production').filter((manifest) => !(manifest.kind === 'PodDisruptionBudget' && manifest.metadata.name === 'auth'));
    ((find(manifests, 'HorizontalPodAutoscaler/orders')['spec'] as JsonObject)['scaleTargetRef'] as JsonObject)['name'] = 'order';
    ((find(manifests, 'Service/gateway')['spec'] as JsonObject)['selector'] as JsonObject)['app.kubernetes.io/name'] = 'gatway';
    (find(manifests, 'Deployment/worker')['spec'] as JsonObject)['replicas'] = 1;
    const problems = await problemsOf(manifests);
    assertNamed(problems, 'Deployment/auth', 'spec.template.metadata.labels', 'no PodDisruptionBudget');
    assertNamed(problems, 'HorizontalPodAutoscaler/orders', 'spec.scaleTargetRef', 'Deployment/order is not in the rendering');
    assertNamed(problems, 'Service/gateway', 'spec.selector', 'selects no pod');
    assertNamed(problems, 'Deployment/worker', 'spec.replicas', 'no pod could ever be evicted');
  });

  it('rejects a variable the service does not read, a value it refuses, and a Secret that is not rendered', async () => {
    const manifests = render('production');
    const gateway = containerOf(manifests, 'Deployment/gateway');
    (gateway['env'] as JsonObject[]).push({ name: 'GATEWAY_METRIC_PORT', value: '9400' });
    (gateway['env'] as JsonObject[]).find((variable) => variable['name'] === 'GATEWAY_WORKERS')!['value'] = 'zero';
    ((containerOf(manifests, 'Deployment/orders')['env'] as JsonObject[]).find((variable) => variable['name'] === 'SUBGRAPH_SHARED_SECRET')!['valueFrom'] as JsonObject)['secretKeyRef'] = {
      name: 'dishpatch-shared-secret',
      key: 'SUBGRAPH_SHARED_SECRET',
    };
    const problems = await problemsOf(manifests);
    assertNamed(problems, 'Deployment/gateway', 'spec.template.spec.containers[gateway].env[GATEWAY_METRIC_PORT]', 'not read by gateway');
    assertNamed(problems, 'Deployment/gateway', 'spec.template.spec.containers[gateway].env', 'GATEWAY_WORKERS');
    assertNamed(problems, 'Deployment/orders', 'spec.template.spec.containers[orders].env[SUBGRAPH_SHARED_SECRET].valueFrom.secretKeyRef', 'dishpatch-shared-secret is not in the rendering');
  });
});

describe('the kustomize renderer', () => {
  function kustomization(files: Record<string, string>): string {
    const folder = scratchFolder('kustomization');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    return folder;
  }
  const deployment = [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
    'spec: {replicas: 1, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: example/web, envFrom: [{configMapRef: {name: settings}}]}]}}}',
  ].join('\n');

  it('refuses a kustomization field it does not render, naming it, rather than ignoring it', () => {
    const folder = kustomization({ 'kustomization.yaml': 'resources: [web.yaml]\nnamePrefix: staging-\n', 'web.yaml': deployment });
    assert.throws(() => renderKustomization(folder), (error: unknown) => error instanceof KustomizeError && /namePrefix: not supported/.test(error.message));
  });

  it('refuses a patch whose target is not rendered', () => {
    const folder = kustomization({
      'kustomization.yaml': 'resources: [web.yaml]\npatches:\n  - target: {kind: Deployment, name: api}\n    patch: "[{op: replace, path: /spec/replicas, value: 3}]"\n',
      'web.yaml': deployment,
    });
    assert.throws(() => renderKustomization(folder), /Deployment\/api\]: no resource matches the target/);
  });

  it('names generated ConfigMaps by their content and points the pods at the new name', () => {
    const rendered = (level: string) =>
      renderKustomization(
        kustomization({ 'kustomization.yaml': `resources: [web.yaml]\nconfigMapGenerator:\n  - name: settings\n    literals: [LEVEL=${level}]\n`, 'web.yaml': deployment }),
      ).manifests;
    const [first, second] = [rendered('info'), rendered('debug')];
    const nameIn = (manifests: Manifest[]) => manifests.find((manifest) => manifest.kind === 'ConfigMap')!.metadata.name;
    assert.match(nameIn(first), /^settings-[a-z0-9]{10}$/);
    assert.notEqual(nameIn(first), nameIn(second));
    const reference = (((containerOf(second, 'Deployment/web')['envFrom'] as JsonObject[])[0]!['configMapRef']) as JsonObject)['name'];
    assert.equal(reference, nameIn(second));
  });

  it('renders both overlays exactly as `kubectl kustomize` does (when kubectl is installed)', (context) => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    } catch {
      context.skip('kubectl is not installed');
      return;
    }
    // kubectl needs the dev overlay's secret files, which the repository does not hold: make them in a copy.
    const copy = scratchFolder('kubectl');
    cpSync(KUBERNETES, copy, { recursive: true, filter: (source) => !source.includes(`${join('dev', 'secrets')}/`) || /README|make-secrets|gitignore/.test(source) });
    execFileSync('bash', [join(copy, 'overlays/dev/secrets/make-secrets.sh')], { stdio: 'ignore' });
    for (const overlay of OVERLAYS) {
      const directory = join(copy, 'overlays', overlay);
      const theirs = parseAllDocuments(execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8' })).map((document) => document.toJS() as Manifest);
      const ours = renderKustomization(directory).manifests;
      const byId = (manifests: Manifest[]) => new Map(manifests.map((manifest) => [`${manifest.kind}/${manifest.metadata.name}`, manifest]));
      assert.deepEqual(byId(ours), byId(theirs), `${overlay}: the renderer and kubectl kustomize differ`);
    }
  });
});
