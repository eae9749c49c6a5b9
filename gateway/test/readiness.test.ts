import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from './support/gateway-client.js';

/** A subgraph's probe routes only: /ready answers with the given status and checks. */
async function probeOnlySubgraph(ready: { status: number; checks: Record<string, string> }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const body = req.url === '/ready' ? { status: ready.status === 200 ? 'ready' : 'unavailable', checks: ready.checks } : { status: 'ok' };
    res.writeHead(req.url === '/ready' ? ready.status : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

describe('gateway /ready follows the subgraphs’ own readiness', () => {
  const servers: Server[] = [];
  let gateway: RunningGateway;

  before(async () => {
    const auth = await probeOnlySubgraph({ status: 503, checks: { database: 'ok', redis: 'unavailable' } });
    const orders = await probeOnlySubgraph({ status: 200, checks: { database: 'ok', redis: 'ok' } });
    servers.push(auth.server, orders.server);
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url });
  });
  after(async () => {
    await gateway?.app.close();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it('names the dependency a subgraph lacks (its Redis), and stays healthy itself', async () => {
    const ready = await fetch(`${gateway.base}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', checks: { auth: 'unavailable (redis)', orders: 'ok' } });
    assert.equal((await fetch(`${gateway.base}/health`)).status, 200);
  });
});
