#!/usr/bin/env bash
# The main job: trains the digits MLP on the bundled data, on the default backend.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --system-only
swift build -c release --product digits-mlp
exec .build/release/digits-mlp "$@"
