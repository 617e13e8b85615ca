#!/usr/bin/env bash
# Generates the Swift code for TensorBoard's event messages from Protos/tensorboard_event.proto
# into Sources/SwiftTorch/TensorBoard/Generated/. The generated file is committed, so building
# SwiftTorch needs only the SwiftProtobuf runtime; run this only after editing the .proto.
#
# Needs protoc (Debian: apt-get install -y protobuf-compiler; 3.21 was used) and
# protoc-gen-swift of the same swift-protobuf version as Package.swift's (1.39.0). Building
# the plugin takes about 4-10 minutes on 2 cores; do it outside the project:
#
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift scripts/generate-tensorboard-protos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [ -z "$plugin" ] || [ ! -x "$plugin" ]; then
    echo "protoc-gen-swift not found: set PROTOC_GEN_SWIFT (see the comment at the top of this script)" >&2
    exit 1
fi
# Internal visibility: the messages are an implementation detail of SummaryWriter.
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=Protos \
    --swift_opt=Visibility=Internal --swift_out=Sources/SwiftTorch/TensorBoard/Generated \
    Protos/tensorboard_event.proto
echo "wrote Sources/SwiftTorch/TensorBoard/Generated/tensorboard_event.pb.swift"
