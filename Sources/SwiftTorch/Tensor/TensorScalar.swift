import SwiftTorchCore

/// A Swift number type that can fill a tensor or be read from one.
public protocol TensorScalar: Sendable {
    /// The dtype PyTorch would give this number: `Double` is a Python float, so it becomes
    /// the default float type (float32); `Int` becomes int64.
    static var defaultDType: DType { get }
    /// The value as a `Double` (a bool is 0 or 1).
    var doubleValue: Double { get }
    /// The value as an `Int64`; floats convert by the library's float-to-integer rule.
    var int64Value: Int64 { get }
    /// The value nearest to `fromDouble` (integers by the float-to-integer rule, bools as nonzero).
    init(fromDouble: Double)
    /// The value of `fromInt64` in this type (bools as nonzero).
    init(fromInt64: Int64)
}

extension Float: TensorScalar {
    /// float32.
    public static var defaultDType: DType { .float32 }
    /// The value, widened.
    public var doubleValue: Double { Double(self) }
    /// The value by the float-to-integer rule.
    public var int64Value: Int64 { DType.integerValue(Double(self)) }
    /// The nearest float.
    public init(fromDouble v: Double) { self = Float(v) }
    /// The nearest float.
    public init(fromInt64 v: Int64) { self = Float(v) }
}
extension Double: TensorScalar {
    /// The default float type, as for a Python float.
    public static var defaultDType: DType { .defaultFloat }
    /// The value itself.
    public var doubleValue: Double { self }
    /// The value by the float-to-integer rule.
    public var int64Value: Int64 { DType.integerValue(self) }
    /// The value itself.
    public init(fromDouble v: Double) { self = v }
    /// The nearest double.
    public init(fromInt64 v: Int64) { self = Double(v) }
}
extension Int: TensorScalar {
    /// int64, as for a Python int.
    public static var defaultDType: DType { .int64 }
    /// The nearest double.
    public var doubleValue: Double { Double(self) }
    /// The value, widened.
    public var int64Value: Int64 { Int64(self) }
    /// The value by the float-to-integer rule.
    public init(fromDouble v: Double) { self = Int(DType.integerValue(v)) }
    /// The value.
    public init(fromInt64 v: Int64) { self = Int(v) }
}
extension Int32: TensorScalar {
    /// int32.
    public static var defaultDType: DType { .int32 }
    /// The value, widened.
    public var doubleValue: Double { Double(self) }
    /// The value, widened.
    public var int64Value: Int64 { Int64(self) }
    /// The value by the float-to-integer rule, clamped to the int32 range.
    public init(fromDouble v: Double) { self = Int32(clamping: DType.integerValue(v)) }
    /// The low 32 bits of the value, as an int64-to-int32 cast in PyTorch.
    public init(fromInt64 v: Int64) { self = Int32(truncatingIfNeeded: v) }
}
extension Int64: TensorScalar {
    /// int64.
    public static var defaultDType: DType { .int64 }
    /// The nearest double.
    public var doubleValue: Double { Double(self) }
    /// The value itself.
    public var int64Value: Int64 { self }
    /// The value by the float-to-integer rule.
    public init(fromDouble v: Double) { self = DType.integerValue(v) }
    /// The value itself.
    public init(fromInt64 v: Int64) { self = v }
}
extension Bool: TensorScalar {
    /// bool.
    public static var defaultDType: DType { .bool }
    /// 1 for true, 0 for false.
    public var doubleValue: Double { self ? 1 : 0 }
    /// 1 for true, 0 for false.
    public var int64Value: Int64 { self ? 1 : 0 }
    /// Whether the value is nonzero.
    public init(fromDouble v: Double) { self = v != 0 }
    /// Whether the value is nonzero.
    public init(fromInt64 v: Int64) { self = v != 0 }
}

/// Swift values that describe a tensor's contents: a number, or arrays nested to any depth.
public protocol TensorData {
    /// The element type the nested values hold.
    associatedtype Scalar: TensorScalar
    /// Appends the elements in row-major order and checks that nesting is rectangular.
    func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws
}

extension TensorData where Self: TensorScalar, Scalar == Self {
    /// Appends the number itself: a scalar has no dimensions.
    public func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws {
        values.append(self)
    }
}
extension Float: TensorData { /** A number is its own element. */ public typealias Scalar = Float }
extension Double: TensorData { /** A number is its own element. */ public typealias Scalar = Double }
extension Int: TensorData { /** A number is its own element. */ public typealias Scalar = Int }
extension Int32: TensorData { /** A number is its own element. */ public typealias Scalar = Int32 }
extension Int64: TensorData { /** A number is its own element. */ public typealias Scalar = Int64 }
extension Bool: TensorData { /** A number is its own element. */ public typealias Scalar = Bool }

extension Array: TensorData where Element: TensorData {
    /// The innermost arrays' element type.
    public typealias Scalar = Element.Scalar
    /// Appends every element in row-major order, recording this level's length as a dimension
    /// and checking that siblings agree.
    public func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws {
        if shape.count == depth {
            shape.append(count)
        } else if shape[depth] != count {
            throw TorchError(.shapeMismatch, "Tensor(_:): nested arrays are ragged: expected \(shape[depth]) entries at depth \(depth), found \(count)")
        }
        for element in self { try element.flatten(into: &values, shape: &shape, depth: depth + 1) }
    }
}
