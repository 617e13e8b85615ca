#!/usr/bin/env bash
# Builds every product of this package and its test bundle, one product at a time, passing
# its arguments on to each `swift build` (a scratch path, sanitizer flags).
#
# Why not `swift build --build-tests`: a build of everything also compiles the executables of
# the dependencies, among them swift-protobuf's C++ `protoc`, which nothing here runs (the
# TensorBoard messages are generated once and committed). On 2 cores that alone took longer
# than all of SwiftTorch, once per build configuration (debug, ASan, TSan).
set -euo pipefail
cd "$(dirname "$0")/.."
# Executables only: the test bundle already builds every library target, and SwiftPM turns
# `--product` of a library into a build of everything.
executables=$(swift package dump-package | python3 -c '
import json, sys
print("\n".join(p["name"] for p in json.load(sys.stdin)["products"] if "executable" in p["type"]))')
for product in SwiftTorchPackageTests $executables; do
    swift build "$@" --product "$product"
done
