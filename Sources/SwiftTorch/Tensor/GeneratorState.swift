import SwiftTorchCore

extension Generator {
    /// A generator's position in its sequence: xoshiro256**'s four state words, as
    /// ``Generator/getState()`` returns it. Checkpoints save it so that a resumed run draws
    /// the same dropout masks and shuffles as an uninterrupted one.
    public struct State: Sendable, Hashable {
        /// The four 64-bit words.
        public let words: [UInt64]

        /// The state with these `words`; there must be four, not all zero (xoshiro's one
        /// state that never leaves itself, which no seed produces).
        public init(words: [UInt64]) throws {
            guard words.count == 4 else {
                throw TorchError(.invalidArgument, "Generator.State: expected 4 state words, got \(words.count)")
            }
            guard words.contains(where: { $0 != 0 }) else {
                throw TorchError(.invalidArgument, "Generator.State: all four state words are zero, which xoshiro256** never leaves")
            }
            self.words = words
        }

        /// Words read from a live generator, which are valid by construction.
        init(checkedWords: [UInt64]) { words = checkedWords }

        /// The words as an int64 tensor of shape [4] (bit patterns), how checkpoints store it.
        public func tensor() throws -> Tensor {
            try Tensor(words.map { Int64(bitPattern: $0) }, shape: [4], dtype: .int64, device: .cpu)
        }

        /// The state stored by ``tensor()``: four int64 values.
        public init(tensor: Tensor) throws {
            guard tensor.dtype == .int64, tensor.shape == [4] else {
                throw TorchError(.invalidArgument, "Generator.State: a saved state is int64[4], got \(tensor.dtype)\(describe(shape: tensor.shape))")
            }
            try self.init(words: try tensor.toArray(of: Int64.self).map { UInt64(bitPattern: $0) })
        }
    }
}

/// The default generator's state, as `torch.get_rng_state()`.
public func getRNGState() -> Generator.State { Generator.default.getState() }

/// Restores the default generator's state, as `torch.set_rng_state(state)`.
public func setRNGState(_ state: Generator.State) { Generator.default.setState(state) }
