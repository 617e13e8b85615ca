#!/usr/bin/env bash
# Builds and runs the consumer package: a separate package that depends on SwiftTorch by
# path and uses it through `import SwiftTorch` alone. Exits non-zero if it does not build
# or computes a wrong value. Its build folder is Tests/Consumer/.build (ignored by git).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
swift run --package-path Tests/Consumer Consumer
