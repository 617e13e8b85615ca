import SwiftTorchCore

/// A Swift number type that can fill a tensor or be read from one.
public protocol TensorScalar: Sendable {
    /// The dtype PyTorch would give this number: `Double` is a Python float, so it becomes
    /// the default float type (float32); `Int` becomes int64.
    static var defaultDType: DType { get }
    var doubleValue: Double { get }
    var int64Value: Int64 { get }
    init(fromDouble: Double)
    init(fromInt64: Int64)
}

extension Float: TensorScalar {
    public static var defaultDType: DType { .float32 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { DType.integerValue(Double(self)) }
    public init(fromDouble v: Double) { self = Float(v) }
    public init(fromInt64 v: Int64) { self = Float(v) }
}
extension Double: TensorScalar {
    public static var defaultDType: DType { .defaultFloat }
    public var doubleValue: Double { self }
    public var int64Value: Int64 { DType.integerValue(self) }
    public init(fromDouble v: Double) { self = v }
    public init(fromInt64 v: Int64) { self = Double(v) }
}
extension Int: TensorScalar {
    public static var defaultDType: DType { .int64 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { Int64(self) }
    public init(fromDouble v: Double) { self = Int(DType.integerValue(v)) }
    public init(fromInt64 v: Int64) { self = Int(v) }
}
extension Int32: TensorScalar {
    public static var defaultDType: DType { .int32 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { Int64(self) }
    public init(fromDouble v: Double) { self = Int32(clamping: DType.integerValue(v)) }
    public init(fromInt64 v: Int64) { self = Int32(truncatingIfNeeded: v) }
}
extension Int64: TensorScalar {
    public static var defaultDType: DType { .int64 }
    public var doubleValue: Double { Double(self) }
    public var int64Value: Int64 { self }
    public init(fromDouble v: Double) { self = DType.integerValue(v) }
    public init(fromInt64 v: Int64) { self = v }
}
extension Bool: TensorScalar {
    public static var defaultDType: DType { .bool }
    public var doubleValue: Double { self ? 1 : 0 }
    public var int64Value: Int64 { self ? 1 : 0 }
    public init(fromDouble v: Double) { self = v != 0 }
    public init(fromInt64 v: Int64) { self = v != 0 }
}

/// Swift values that describe a tensor's contents: a number, or arrays nested to any depth.
public protocol TensorData {
    associatedtype Scalar: TensorScalar
    /// Appends the elements in row-major order and checks that nesting is rectangular.
    func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws
}

extension TensorData where Self: TensorScalar, Scalar == Self {
    public func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws {
        values.append(self)
    }
}
extension Float: TensorData { public typealias Scalar = Float }
extension Double: TensorData { public typealias Scalar = Double }
extension Int: TensorData { public typealias Scalar = Int }
extension Int32: TensorData { public typealias Scalar = Int32 }
extension Int64: TensorData { public typealias Scalar = Int64 }
extension Bool: TensorData { public typealias Scalar = Bool }

extension Array: TensorData where Element: TensorData {
    public typealias Scalar = Element.Scalar
    public func flatten(into values: inout [Scalar], shape: inout [Int], depth: Int) throws {
        if shape.count == depth {
            shape.append(count)
        } else if shape[depth] != count {
            throw TorchError(.shapeMismatch, "Tensor(_:): nested arrays are ragged: expected \(shape[depth]) entries at depth \(depth), found \(count)")
        }
        for element in self { try element.flatten(into: &values, shape: &shape, depth: depth + 1) }
    }
}
