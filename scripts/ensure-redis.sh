#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379). When none does and the URL
# points at this machine, installs redis-server if missing and starts one on loopback, keeping nothing on disk.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"; hostport="${hostport%%,*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379

ping() { (exec 3<>"/dev/tcp/$host/$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ping; then echo "redis: answering at $host:$port"; exit 0; fi
case "$host" in 127.0.0.1|localhost) ;; *) echo "redis: nothing answers at $host:$port (REDIS_URL) and it is not local: start it" >&2; exit 1;; esac
if ! command -v redis-server >/dev/null; then
  echo "redis: installing redis-server"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir /tmp --logfile /tmp/redis-"$port".log
for _ in $(seq 1 50); do ping && { echo "redis: started on $host:$port"; exit 0; }; sleep 0.1; done
echo "redis: started redis-server but it does not answer on $host:$port; see /tmp/redis-$port.log" >&2
exit 1
