/// Every failure SwiftTorch reports. The message names the operator, the shapes and dtypes
/// involved and the rule that was broken, so it can be acted on without a debugger.
public struct TorchError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of rule was broken; tests and callers branch on this, people read `message`.
    public enum Kind: String, Sendable {
        /// Shapes, dimensions, indices, dtypes or devices that do not fit the operation.
        case shapeMismatch, dimOutOfRange, indexOutOfRange, dtypeMismatch, deviceMismatch
        /// A bad argument value, an unknown operator or backend, or no kernel that can run the
        /// call.
        case invalidArgument, unknownOperator, noKernel, backendUnavailable, unknownBackend
        /// A failure of autograd, of file input or output, of a plugin, or a feature not there yet.
        case autograd, io, plugin, notImplemented
        /// The memory asked for could not be had (or no machine could have it).
        case outOfMemory
    }

    /// What kind of rule was broken.
    public let kind: Kind
    /// What went wrong: the operator, the shapes and dtypes involved, the rule broken.
    public let message: String

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The same error with `op` in front of its message: for a failure far below an
    /// operator (the allocator's), which only the operator's caller can name.
    public func raised(by op: String) -> TorchError { TorchError(kind, "\(op): \(message)") }
}

/// Formats a shape as PyTorch does: `[2, 3]`.
@inlinable public func describe(shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// Formats tensors for messages and traces: `float32[2, 3], int64[2]`.
public func describe(tensors: [Tensor]) -> String {
    tensors.map { "\($0.dtype)\(describe(shape: $0.shape))" }.joined(separator: ", ")
}
