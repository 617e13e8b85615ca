/// One int used for both spatial dims, or a (height, width) pair: the `int[2]` arguments of
/// convolution and pooling, written `3` or `[3, 1]`, as PyTorch accepts them.
public struct IntOrPair: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The values as written: one or two. Another count is kept as it is, so that the
    /// operator receiving it reports the mistake with the values.
    public let values: [Int]

    /// The same value for both spatial dimensions, as PyTorch's `3` for `(3, 3)`.
    public init(_ value: Int) { values = [value] }
    /// A (height, width) pair.
    public init(_ height: Int, _ width: Int) { values = [height, width] }
    /// A literal `3`: the same value for both spatial dimensions.
    public init(integerLiteral value: Int) { self.init(value) }
    /// A literal `[3, 1]`: one value, or a (height, width) pair.
    public init(arrayLiteral values: Int...) { self.values = values }

    /// The first value (0 when none was given).
    public var height: Int { values.first ?? 0 }
    /// The second value, or the first when only one was given.
    public var width: Int { values.count > 1 ? values[1] : height }
    /// Whether this is one or two values.
    public var isValid: Bool { (1...2).contains(values.count) }
}
