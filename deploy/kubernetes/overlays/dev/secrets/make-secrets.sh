#!/usr/bin/env bash
# Makes the dev overlay's secret files (see README.md here); keeps any that exist.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
[[ -e subgraph-shared-secret ]] || openssl rand -base64 32 | tr -d '\n' > subgraph-shared-secret
[[ -e auth-signing-key.pem ]] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out auth-signing-key.pem
if [[ ! -e datastores.env ]]; then
  cat > datastores.env <<'ENV'
AUTH_DATABASE_URL=postgres://app:CHANGE-ME@dishpatch-auth-db-rw:5432/app
ORDERS_DATABASE_URL=postgres://app:CHANGE-ME@dishpatch-orders-db-rw:5432/app
REDIS_URL=redis://dishpatch-redis:6379
ENV
fi
echo "made: $(ls subgraph-shared-secret auth-signing-key.pem datastores.env | tr '\n' ' ')"
