#!/usr/bin/env bash
# Debian's packages the tests run for real: nginx (the reverse proxy in front of gunicorn), redis-server (a private
# server a test stops and starts) and openssl (a self-signed certificate for nginx's TLS); plus any package named
# as an argument (the Makefile passes python3-venv when Python cannot create a virtualenv).
set -euo pipefail
need=("$@")
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Tests need: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Install only: a package's own service must not start (the tests start private, non-daemon instances).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq "${need[@]}" >/dev/null
