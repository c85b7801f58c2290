#!/usr/bin/env bash
# Installs the real tools the tests and the local rehearsal drive, from Debian's packages:
# redis-server (result cache, rate limits), haproxy (local traffic split), prometheus (promtool and the
# rehearsal's scraper), nginx (config check of the NGINX gateway variant), and kubectl (`kubectl patch --local` on the
# rendered HTTPRoute) when none is installed. Idempotent; needs root or sudo.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v haproxy >/dev/null || need+=(haproxy)
command -v promtool >/dev/null || need+=(prometheus)
command -v nginx >/dev/null || need+=(nginx-light)
command -v kubectl >/dev/null || need+=(kubernetes-client)
if ((${#need[@]} == 0)); then
  echo "setup-tools: redis-server, haproxy, prometheus, nginx and kubectl are installed"
  exit 0
fi
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "setup-tools: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
# Debian's packages start system services on install; the tests start their own instances on free ports.
for svc in redis-server haproxy prometheus nginx; do
  $sudo systemctl stop "$svc" 2>/dev/null || $sudo service "$svc" stop 2>/dev/null || true
done
