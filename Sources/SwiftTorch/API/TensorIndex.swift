import SwiftTorchCore

/// One entry of a multi-dimensional subscript, as Python writes them inside `x[...]`:
///
/// | PyTorch          | SwiftTorch                                   |
/// |------------------|----------------------------------------------|
/// | `x[2]`, `x[-1]`  | `x[2]`, `x[-1]`                              |
/// | `x[1:3]`         | `x[1..<3]` (or `1...2`)                      |
/// | `x[1:]`, `x[:2]` | `x[1...]`, `x[..<2]`                         |
/// | `x[:, 1]`        | `x[.all, 1]`                                 |
/// | `x[::2]`         | `x[.stride(by: 2)]`                          |
/// | `x[1:-1]`        | `x[.stride(from: 1, to: -1)]`                |
/// | `x[..., -1]`     | `x[.ellipsis, -1]`                           |
/// | `x[None]`        | `x[.newAxis]`                                |
/// | `x[mask]`        | `x[mask]` (a bool tensor)                    |
/// | `x[idx]`         | `x[idx]` (an integer tensor, or `[0, 2]`)    |
///
/// Integers, ranges and strides give views (writing through them writes `x`); tensors give
/// copies, as in PyTorch. `x[1..<(-1)]` cannot be written because Swift's ranges need
/// `lower <= upper`; `.stride(from: 1, to: -1)` says it.
public struct TensorIndex: TensorIndexExpression {
    enum Kind {
        case integer(Int)
        case slice(start: Int?, end: Int?, step: Int)
        case ellipsis
        case newAxis
        case tensor(Tensor)
        /// Integers listed in Swift, made a tensor where the subscript can throw.
        case integers([Int])
    }

    let kind: Kind

    /// This index itself.
    public var tensorIndex: TensorIndex { self }
}

/// A value that can stand inside a tensor subscript: `Int`, the range types, `Tensor`,
/// `[Int]`, and the ``TensorIndex`` members `.all`, `.ellipsis`, `.newAxis` and
/// `.stride(from:to:by:)` (Python's `start:end:step`, negative bounds included, which the
/// standard library's `stride(from:to:by:)` would read in Swift's sense instead).
public protocol TensorIndexExpression {
    /// The subscript entry this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndexExpression where Self == TensorIndex {
    /// Every entry of one dimension: Python's `:`.
    public static var all: TensorIndex { TensorIndex(kind: .slice(start: nil, end: nil, step: 1)) }
    /// As many `.all` as the dimensions the other entries leave: Python's `...`.
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// A new dimension of size 1 here: Python's `None`.
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Every `step`-th entry from `start` up to `end` (either may be omitted, and negative
    /// bounds count from the end): Python's `start:end:step`. The step must be positive.
    public static func stride(from start: Int? = nil, to end: Int? = nil, by step: Int = 1) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, end: end, step: step))
    }
}

extension Int: TensorIndexExpression {
    /// One entry, its dimension removed: `x[2]`, `x[-1]`.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .integer(self)) }
}

extension Range: TensorIndexExpression where Bound == Int {
    /// `x[a..<b]`: Python's `a:b`.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: upperBound, step: 1)) }
}

extension ClosedRange: TensorIndexExpression where Bound == Int {
    /// `x[a...b]`: Python's `a:b+1` (and `a:` when `b` is -1, the last entry).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: inclusiveEnd(upperBound), step: 1)) }
}

extension PartialRangeFrom: TensorIndexExpression where Bound == Int {
    /// `x[a...]`: Python's `a:`.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: lowerBound, end: nil, step: 1)) }
}

extension PartialRangeUpTo: TensorIndexExpression where Bound == Int {
    /// `x[..<b]`: Python's `:b`.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: nil, end: upperBound, step: 1)) }
}

extension PartialRangeThrough: TensorIndexExpression where Bound == Int {
    /// `x[...b]`: Python's `:b+1`.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .slice(start: nil, end: inclusiveEnd(upperBound), step: 1)) }
}

extension Tensor: TensorIndexExpression {
    /// `x[mask]` for a bool tensor, `x[idx]` for an integer one: a copy.
    public var tensorIndex: TensorIndex { TensorIndex(kind: .tensor(self)) }
}

extension Array: TensorIndexExpression where Element == Int {
    /// `x[[0, 2]]`: the listed entries of one dimension, as an int64 index tensor (a copy).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .integers(self)) }
}

/// The exclusive end of an inclusive bound: `b + 1`, except that -1 (the last entry) means
/// "to the end" (Python's `a:`), since `-1 + 1` would be 0; so does `Int.max`, which has no
/// successor.
private func inclusiveEnd(_ bound: Int) -> Int? { bound == -1 || bound == .max ? nil : bound + 1 }
