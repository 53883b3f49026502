#!/usr/bin/env bash
# The reliability scenarios (tests/Reliability.Tests) as a soak: every traffic phase lasts SECONDS (default 300)
# instead of CI's few seconds, and the refresh storms run one set of rounds per 10 seconds. Prints what each
# scenario measured. Takes the shared build lock only while building.
#   bench/reliability-soak.sh [seconds] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~RefreshStorm]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
flock /tmp/dotnet.lock dotnet build tests/Reliability.Tests
RELIABILITY_SOAK_SECONDS="$seconds" dotnet test tests/Reliability.Tests --no-build --logger "console;verbosity=normal" "$@"
