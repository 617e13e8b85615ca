import Foundation
import SwiftTorchCore

extension Module {
    /// Writes the state dict (parameters and buffers) as a safetensors file, atomically
    /// (a temporary file, then a rename), so an existing file is never half-overwritten.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.save(stateDict().map { ($0.key, $0.value) }, to: url, metadata: metadata)
    }

    /// Loads a safetensors file written by ``save(to:metadata:)`` or by PyTorch's
    /// `safetensors.torch.save_file(model.state_dict(), ...)`; keys and shapes must match.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> LoadStateDictResult {
        let tensors = try Safetensors.load(from: url)
        return try loadStateDict(StateDict(tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), strict: strict)
    }
}
