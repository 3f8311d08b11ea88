#!/usr/bin/env bash
# The servers the scale-out tests start for themselves (tests/servers/): Debian's redis-server and
# postgresql. Installed when missing and we may (root with apt); otherwise those tests are skipped,
# each with its reason.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "note: ${need[*]} not installed (needs root and apt): the Redis/PostgreSQL tests will be skipped" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
