# syntax=docker/dockerfile:1
# One Dockerfile for every service; each service is a target named after its workspace:
#   docker build --target gateway .          (or auth-subgraph, orders-subgraph, worker)
# docker-compose.yml builds each service's target from the repository root.
#
# Base: Node 24 (Active LTS; Node 20 reached end of life in April 2026). The project itself
# still runs on Node >= 20.19 (package.json `engines`). The floating node:24 tag matters for one
# pinned package: typeorm 1.1.1 accepts Node 24 only from 24.11 (`^20.19.0 || ^22.13.0 ||
# >=24.11.0`); the tag is past that. @apollo/subgraph stays pinned at 2.14.4 for Node 20 (2.15
# needs Node >= 22), which runs on 24 as well.
#
# TypeScript runs as in development, through tsx (no build step, the same
# `--conditions=source` resolution); tsx is the one runtime tool, installed apart at the
# version package-lock.json pins. Each image installs its own workspace's production
# dependencies only, and runs as the non-root `node` user.

FROM node:24-bookworm-slim AS base
WORKDIR /app

# ---- the lockfile and every workspace's manifest: npm ci checks them against each other
FROM base AS manifests
COPY package.json package-lock.json ./
COPY shared/package.json shared/package.json
COPY auth-subgraph/package.json auth-subgraph/package.json
COPY orders-core/package.json orders-core/package.json
COPY orders-subgraph/package.json orders-subgraph/package.json
COPY worker/package.json worker/package.json
COPY gateway/package.json gateway/package.json
COPY tooling/package.json tooling/package.json
COPY web/package.json web/package.json
COPY system-tests/package.json system-tests/package.json

# ---- tsx, at the version the lockfile pins, apart from any workspace
FROM manifests AS tsx
RUN TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --prefix /opt/tsx --omit=dev --no-audit --no-fund "tsx@$TSX_VERSION"

# ---- production dependencies, resolved from the lockfile, one stage per service
FROM manifests AS auth-subgraph-dependencies
RUN npm ci --omit=dev --workspace=auth-subgraph --no-audit --no-fund

FROM manifests AS orders-subgraph-dependencies
RUN npm ci --omit=dev --workspace=orders-subgraph --no-audit --no-fund

FROM manifests AS worker-dependencies
RUN npm ci --omit=dev --workspace=worker --no-audit --no-fund

FROM manifests AS gateway-dependencies
RUN npm ci --omit=dev --workspace=gateway --no-audit --no-fund

# ---- what every service image starts from; sources are copied read-only, owned by root
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=tsx /opt/tsx /opt/tsx

# ---- auth-subgraph: users, roles, sessions, token signing
FROM runtime AS auth-subgraph
ENV AUTH_PORT=4001
COPY --from=auth-subgraph-dependencies /app /app
COPY tsconfig.base.json tsconfig.json ./
COPY shared/src shared/src
COPY auth-subgraph/src auth-subgraph/src
# `npm run create-manager` without npm: see README (Docker) for the exec line.
COPY scripts/create-manager.ts scripts/create-manager.ts
# Where a generated signing key is kept when AUTH_PRIVATE_KEY is not given; mount a volume here.
RUN mkdir -p /var/lib/dishpatch/auth && chown node:node /var/lib/dishpatch/auth
ENV AUTH_DATA_DIR=/var/lib/dishpatch/auth
USER node
EXPOSE 4001
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AUTH_PORT || 4001) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/auth-subgraph
CMD ["node", "--conditions=source", "--import", "file:///opt/tsx/node_modules/tsx/dist/loader.mjs", "src/index.ts"]

# ---- orders-subgraph: dishes, stock, orders
FROM runtime AS orders-subgraph
ENV ORDERS_PORT=4002
COPY --from=orders-subgraph-dependencies /app /app
COPY tsconfig.base.json tsconfig.json ./
COPY shared/src shared/src
COPY orders-core/src orders-core/src
COPY orders-subgraph/src orders-subgraph/src
USER node
EXPOSE 4002
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ORDERS_PORT || 4002) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/orders-subgraph
CMD ["node", "--conditions=source", "--import", "file:///opt/tsx/node_modules/tsx/dist/loader.mjs", "src/index.ts"]

# ---- worker: the kitchen clock (BullMQ), a shell over orders-core like the orders subgraph
FROM runtime AS worker
ENV WORKER_PORT=4003
COPY --from=worker-dependencies /app /app
COPY tsconfig.base.json tsconfig.json ./
COPY shared/src shared/src
COPY orders-core/src orders-core/src
COPY worker/src worker/src
USER node
EXPOSE 4003
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_PORT || 4003) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/worker
CMD ["node", "--conditions=source", "--import", "file:///opt/tsx/node_modules/tsx/dist/loader.mjs", "src/index.ts"]

# ---- gateway: the Apollo Gateway: static supergraph, offline playground, guards
FROM runtime AS gateway
ENV GATEWAY_PORT=4000
COPY --from=gateway-dependencies /app /app
COPY tsconfig.base.json tsconfig.json ./
COPY shared/src shared/src
COPY gateway/src gateway/src
COPY supergraph.yaml ./
COPY supergraph.graphql ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.GATEWAY_PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/gateway
CMD ["node", "--conditions=source", "--import", "file:///opt/tsx/node_modules/tsx/dist/loader.mjs", "src/index.ts"]
