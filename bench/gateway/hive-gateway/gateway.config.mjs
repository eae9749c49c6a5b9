// Hive Gateway as `npm run bench` runs it: the project's supergraph (a per-run copy whose
// routing URLs point at the bench's subgraphs, path in BENCH_SUPERGRAPH_PATH) and the
// client's Authorization forwarded to every subgraph, as our gateway does. Everything else
// is Hive Gateway's default.
export const gatewayConfig = {
  supergraph: process.env.BENCH_SUPERGRAPH_PATH,
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
  },
};
