#!/usr/bin/env bash
# Trains the digits MLP (default) or CNN data-parallel with N processes on this machine and
# prints the test accuracy, as the single-process examples do:
#   scripts/train-distributed.sh N [mlp|cnn] [--epochs E]
# The global batch of 64 is split over the N ranks (N must divide 64). Builds the release
# example first. More hosts: see Docs/distributed.md (mpirun with a host file).
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:?usage: scripts/train-distributed.sh N [mlp|cnn] [--epochs E]}
model=${2:-mlp}
shift $(( $# >= 2 ? 2 : 1 ))
scripts/setup.sh
swift build -c release --product digits-distributed >&2
exec scripts/mpirun-local.sh "$ranks" .build/release/digits-distributed --model "$model" "$@"
