#!/usr/bin/env bash
# Installs the Debian tools the tests use when they are missing: kcat (librdkafka client for the
# broker's cross-client tests), promtool (alert rule tests), and redis-server with redis-cli (the Redis
# Cluster the state store and e2e tests start for themselves, even when a Redis already answers at
# REDIS_URL). The tests never skip for want of them.
set -euo pipefail
need=()
command -v kcat >/dev/null || need+=(kcat)
command -v promtool >/dev/null || need+=(prometheus)
{ command -v redis-server && command -v redis-cli; } >/dev/null || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0
echo "tools: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
