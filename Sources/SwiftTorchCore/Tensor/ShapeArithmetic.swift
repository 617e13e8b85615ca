/// The one place where sizes that come from users become element counts, byte counts,
/// strides and offsets. Every product and sum is overflow-checked, so a shape such as
/// `[1 << 32, 1 << 32]` is an error that names the operator and the shape, never a trap in
/// Swift's arithmetic.
///
/// The rule for shapes: every size is non-negative, and the product of the sizes, with
/// zeros counted as ones, fits in an `Int`. Counting zeros as ones is a little stricter than
/// PyTorch's `numel` check (`[0, 1 << 40, 1 << 40]` is refused), and it is what makes every
/// row-major stride and every partial product of a valid shape (flatten's, reshape's)
/// representable, so code that holds a valid tensor may multiply its sizes unchecked.
public enum ShapeArithmetic {
    /// The number of elements of `shape`, which `op` is about to create or view.
    /// Throws ``TorchError/Kind/invalidArgument`` for a negative size or a product past `Int.max`.
    @inlinable
    public static func elementCount(_ op: String, _ shape: [Int]) throws -> Int {
        var span = 1, empty = false
        for size in shape {
            guard size >= 0 else { throw negativeSize(op, shape) }
            if size == 0 { empty = true; continue }
            let (product, overflow) = span.multipliedReportingOverflow(by: size)
            guard !overflow else { throw tooManyElements(op, shape) }
            span = product
        }
        return empty ? 0 : span
    }

    /// The bytes that a tensor of `shape` and `dtype` takes, for `op` to allocate. A negative
    /// size throws ``TorchError/Kind/invalidArgument``; a count of elements or of bytes that
    /// overflows an `Int` throws ``TorchError/Kind/outOfMemory`` ("can't allocate memory",
    /// as PyTorch says), since no allocator could give it.
    ///
    /// Every call's outputs pass through here, so the valid case is one loop with one checked
    /// multiply per dimension, and `op` is evaluated only to word an error.
    @inlinable
    public static func byteCount(_ op: @autoclosure () -> String, _ shape: [Int], _ dtype: DType) throws -> Int {
        var span = 1, empty = false, invalid = false
        for size in shape {
            if size <= 0 {
                invalid = invalid || size < 0
                empty = true
                continue
            }
            let (product, overflow) = span.multipliedReportingOverflow(by: size)
            invalid = invalid || overflow
            span = product
        }
        // An empty tensor takes no bytes, however large its other sizes.
        let (bytes, overflow) = span.multipliedReportingOverflow(by: dtype.itemSize)
        guard !invalid, empty || !overflow else { throw byteCountError(op(), shape, dtype) }
        return empty ? 0 : bytes
    }

    /// Why ``byteCount(_:_:_:)`` refused `shape`.
    @usableFromInline
    static func byteCountError(_ op: String, _ shape: [Int], _ dtype: DType) -> TorchError {
        if shape.contains(where: { $0 < 0 }) { return negativeSize(op, shape) }
        guard let count = try? elementCount(op, shape) else {
            return cannotAllocate(op, shape, dtype, "has more elements than an Int can count")
        }
        return cannotAllocate(op, shape, dtype, "(\(count) elements of \(dtype.itemSize) bytes) needs more bytes than an Int can count")
    }

    /// `a * b` for a size computed by `op`; `what` names the quantity in the error.
    @inlinable
    public static func product(_ op: String, _ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw overflowed(op, what(), "\(a) * \(b)") }
        return value
    }

    /// `a + b` for a size or an offset computed by `op`; `what` names the quantity in the error.
    @inlinable
    public static func sum(_ op: String, _ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw overflowed(op, what(), "\(a) + \(b)") }
        return value
    }

    /// A user's `Double` that must become an `Int` (a length, a count): finite and within
    /// `Int`'s range after `rounding`. Swift's `Int(_: Double)` traps on anything else.
    public static func integer(_ op: String, _ value: Double, rounding: FloatingPointRoundingRule = .towardZero,
                               _ what: @autoclosure () -> String) throws -> Int {
        let rounded = value.rounded(rounding)
        // 2^63 is exactly representable; every Double below it and at or above -2^63 converts.
        guard rounded.isFinite, rounded >= -9.223372036854775808e18, rounded < 9.223372036854775808e18 else {
            throw TorchError(.invalidArgument, "\(op): \(what()) is \(value), which is not a finite number an Int can hold (at most \(Int.max))")
        }
        return Int(rounded)
    }

    /// Checks that a view of `shape`, `strides` and `offset` (in elements of `dtype`) reaches
    /// only elements inside a storage of `storageBytes` bytes, as PyTorch's
    /// `checkInBoundsForStorage`: sizes follow the shape rule, strides and the offset are
    /// non-negative (PyTorch has no negative strides), and the last element reached lies
    /// inside the storage. A view with no elements reaches nothing.
    ///
    /// One rule is stricter than PyTorch's: `offset + Σ size × stride` (one step past the end
    /// of every dimension) must fit in an `Int`. Strided loops step there before they wrap
    /// around, so a size-1 dimension with a stride of `Int.max`, which PyTorch accepts
    /// because it is never used to address, would overflow them.
    public static func checkView(_ op: String, shape: [Int], strides: [Int], offset: Int, dtype: DType,
                                 storageBytes: Int) throws {
        guard shape.count == strides.count else {
            throw TorchError(.invalidArgument, "\(op): shape \(describe(shape: shape)) and strides \(describe(shape: strides)) must have the same length")
        }
        let count = try elementCount(op, shape)
        guard offset >= 0, strides.allSatisfy({ $0 >= 0 }) else {
            throw TorchError(.invalidArgument, "\(op): the offset (\(offset)) and the strides \(describe(shape: strides)) must be non-negative (shape \(describe(shape: shape)))")
        }
        if count == 0 { return }
        // Worded only for an error: views are made on every reshape and transpose.
        func geometry() -> String { "shape \(describe(shape: shape)), strides \(describe(shape: strides)) and offset \(offset)" }
        // `end` is one step past every dimension's end; the farthest element reached is
        // offset + Σ (size - 1) × stride, which is at most `end`.
        var end = offset, last = offset
        for (size, stride) in zip(shape, strides) {
            let (span, o1) = size.multipliedReportingOverflow(by: stride)
            let (next, o2) = end.addingReportingOverflow(span)
            guard !o1, !o2 else {
                throw TorchError(.indexOutOfRange, "\(op): a view with \(geometry()) steps past what an Int can address")
            }
            end = next
            last += span - stride
        }
        let capacity = storageBytes / dtype.itemSize
        guard last < capacity else {
            throw TorchError(.indexOutOfRange, "\(op): a view with \(geometry()) reaches outside its storage of \(capacity) \(dtype) elements")
        }
    }

    // MARK: Messages

    @usableFromInline
    static func negativeSize(_ op: String, _ shape: [Int]) -> TorchError {
        TorchError(.invalidArgument, "\(op): sizes must be non-negative, got \(describe(shape: shape))")
    }

    @usableFromInline
    static func tooManyElements(_ op: String, _ shape: [Int]) -> TorchError {
        TorchError(.invalidArgument, "\(op): shape \(describe(shape: shape)) has more elements than an Int can count "
            + "(the product of its sizes passes \(Int.max))")
    }

    @usableFromInline
    static func cannotAllocate(_ op: String, _ shape: [Int], _ dtype: DType, _ reason: String) -> TorchError {
        TorchError(.outOfMemory, "\(op): can't allocate memory: a \(dtype) tensor of shape \(describe(shape: shape)) \(reason)")
    }

    @usableFromInline
    static func overflowed(_ op: String, _ what: String, _ expression: String) -> TorchError {
        TorchError(.invalidArgument, "\(op): \(what) overflows an Int (\(expression))")
    }
}
