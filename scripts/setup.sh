#!/usr/bin/env bash
# The project's one set-up step for the tools the tests drive (run by `pnpm test` and `.ci/run`;
# a developer may run it alone: `scripts/setup.sh`). Idempotent, and quick when all is present:
# it only looks, and installs or starts something only when it is missing.
#
#   openssl, curl    interop tests, test certificates (packages/test-support/src/certs.ts)
#   gnutls-cli       packages/server/test/interop-gnutls.test.ts (Debian: gnutls-bin, issue #6)
#   chromium         packages/server/test/browser.test.ts (Debian: chromium, issue #7)
#   redis-server     packages/session-store-redis (a private server per fault test, issue #8), and
#                    the shared Redis at 127.0.0.1:6379, started here only if it does not answer.
#
# Tests never install anything: they check that the tool runs and fail naming this script.
# Deno and Bun are npm dev dependencies (root package.json), installed by `pnpm install`.
set -euo pipefail

missing=()
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need openssl openssl
need curl curl
need gnutls-cli gnutls-bin
need chromium chromium
need redis-server redis-server

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${missing[*]} and no apt-get here: install them with the system's package manager" >&2
    exit 1
  fi
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

redis_answers() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_answers; then
  echo "setup: starting redis-server on 127.0.0.1:6379" >&2
  redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 50); do redis_answers && break; sleep 0.1; done
  redis_answers || { echo "setup: redis-server did not answer on 127.0.0.1:6379 within 5 s" >&2; exit 1; }
fi
