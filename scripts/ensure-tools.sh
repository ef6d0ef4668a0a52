#!/usr/bin/env bash
# Installs the Debian tools the tests use when they are missing: kcat (librdkafka client for the
# broker's cross-client tests) and promtool (alert rule tests). The tests never skip for want of them.
set -euo pipefail
need=()
command -v kcat >/dev/null || need+=(kcat)
command -v promtool >/dev/null || need+=(prometheus)
[ ${#need[@]} -eq 0 ] && exit 0
echo "tools: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
