import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSubgraphFetcher } from '../src/subgraph-data-source.js';
import { ViewerWrites } from '../src/viewer-writes.js';

/**
 * A subgraph that holds every answer until the test releases it, so that the callers of a
 * test are certainly in flight together, and that answers each request with a body naming
 * the Authorization it saw and how many requests came before it.
 */
class HeldSubgraph {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  private held: Array<() => void> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        const answer = JSON.stringify({ data: { seenAuthorization: req.headers.authorization ?? null, requestNumber: this.received.length, items: [1, 2] } });
        this.held.push(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(answer);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  /** Answers every request held so far, once `count` have arrived (or after 2 s, for the test to see how many did). */
  async releaseWhenReceived(count: number): Promise<void> {
    const deadline = Date.now() + 2000;
    while (this.received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const answer of this.held.splice(0)) answer();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const QUERY_BODY = JSON.stringify({ query: 'query Menu__orders__0{menu{id name}}', variables: {}, operationName: 'Menu__orders__0' });
const MUTATION_BODY = JSON.stringify({ query: 'mutation Place__orders__0($input:PlaceOrderInput!){placeOrder(input:$input){id}}', variables: { input: {} } });

describe('identical subgraph queries in flight together', () => {
  const subgraph = new HeldSubgraph();
  const writes = new ViewerWrites();
  const subgraphFetcher = createSubgraphFetcher({ keepAliveMs: 1000, timeoutMs: 5000, writes });
  const send = (body: string, authorization?: string) =>
    subgraphFetcher.post(subgraph.url, {
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });
  const json = async <T>(answer: Promise<{ body: string }>) => JSON.parse((await answer).body) as T;

  before(() => subgraph.start());
  after(async () => {
    await subgraphFetcher.close();
    await subgraph.stop();
  });
  beforeEach(() => {
    subgraph.received.length = 0;
  });

  it('share one request to the subgraph, and every caller gets the whole answer as its own object', async () => {
    const callers = Array.from({ length: 20 }, () => send(QUERY_BODY, 'Bearer one'));
    await subgraph.releaseWhenReceived(1);
    const answers = await Promise.all(callers.map((answer) => json<{ data: { items: number[] } }>(answer)));

    assert.equal(subgraph.received.length, 1);
    for (const answer of answers) assert.deepEqual(answer, { data: { seenAuthorization: 'Bearer one', requestNumber: 1, items: [1, 2] } });
    answers[0]!.data.items.push(3);
    assert.deepEqual(answers[1]!.data.items, [1, 2], "one caller's changes must not show in another's answer");
  });

  it('are never shared between different Authorization headers', async () => {
    const callers = ['Bearer one', 'Bearer two', undefined, 'Bearer one'].map((authorization) => send(QUERY_BODY, authorization));
    await subgraph.releaseWhenReceived(3);
    const seen = await Promise.all(callers.map(async (answer) => (await json<{ data: { seenAuthorization: string | null } }>(answer)).data.seenAuthorization));

    assert.equal(subgraph.received.length, 3);
    assert.deepEqual(seen, ['Bearer one', 'Bearer two', null, 'Bearer one']);
  });

  it('never share a mutation: each one reaches the subgraph', async () => {
    const callers = Array.from({ length: 5 }, () => send(MUTATION_BODY, 'Bearer one'));
    await subgraph.releaseWhenReceived(5);
    const numbers = await Promise.all(callers.map(async (answer) => (await json<{ data: { requestNumber: number } }>(answer)).data.requestNumber));

    assert.equal(subgraph.received.length, 5);
    assert.deepEqual([...numbers].sort(), [1, 2, 3, 4, 5]);
  });

  it("are not joined by a viewer's fetch made after its own mutation was answered; other viewers still join", async () => {
    const beforeTheWrite = [send(QUERY_BODY, 'Bearer writer'), send(QUERY_BODY, 'Bearer reader')];
    const deadline = Date.now() + 2000;
    while (subgraph.received.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    writes.wrote('Bearer writer');
    const afterTheWrite = [send(QUERY_BODY, 'Bearer writer'), send(QUERY_BODY, 'Bearer reader')];
    await subgraph.releaseWhenReceived(3);
    const [writerBefore, readerBefore, writerAfter, readerAfter] = await Promise.all(
      [...beforeTheWrite, ...afterTheWrite].map(async (answer) => (await json<{ data: { requestNumber: number } }>(answer)).data.requestNumber),
    );

    assert.equal(subgraph.received.length, 3);
    assert.notEqual(writerAfter, writerBefore, "the writer's fetch after its write is a round trip of its own");
    assert.equal(readerAfter, readerBefore, "the reader's fetch joined the one in flight");
  });

  it('keep nothing once answered: the same query later asks the subgraph again', async () => {
    const first = send(QUERY_BODY, 'Bearer one');
    await subgraph.releaseWhenReceived(1);
    await first;
    const second = send(QUERY_BODY, 'Bearer one');
    await subgraph.releaseWhenReceived(2);
    const answer = await json<{ data: { requestNumber: number } }>(second);

    assert.equal(subgraph.received.length, 2);
    assert.equal(answer.data.requestNumber, 2);
  });

  it('give every caller the failure when the subgraph cannot be reached', async () => {
    const unreachable = createSubgraphFetcher({ keepAliveMs: 1000, timeoutMs: 5000, writes: new ViewerWrites() });
    const closed = new HeldSubgraph();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    try {
      const results = await Promise.allSettled(Array.from({ length: 3 }, () => unreachable.post(url, { headers: {}, body: QUERY_BODY })));
      assert.deepEqual(
        results.map((result) => result.status),
        ['rejected', 'rejected', 'rejected'],
      );
    } finally {
      await unreachable.close();
    }
  });
});
