// Hive Gateway as `npm run bench` runs it: the project's supergraph (a per-run copy whose
// routing URLs point at the bench's subgraphs, path in BENCH_SUPERGRAPH_PATH) and the
// client's Authorization forwarded to every subgraph, and the subgraphs' shared secret
// (SUBGRAPH_SHARED_SECRET) sent with each request, as our gateway does. Everything else is
// Hive Gateway's default.
export const gatewayConfig = {
  supergraph: process.env.BENCH_SUPERGRAPH_PATH,
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization') ?? undefined,
      'x-dishpatch-gateway-secret': process.env.SUBGRAPH_SHARED_SECRET,
    }),
  },
};
