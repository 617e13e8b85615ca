import SwiftTorchCore

// Matrix products. The meta rules (Sources/SwiftTorch/Ops/LinalgOps.swift) have checked
// shapes and dtypes (both operands share one non-bool dtype), rewritten matmul's operands
// to [batch..., m, k] and [batch..., k, n] views with equal batch dims, broadcast addmm's
// `self` to [m, n] and linear's `bias` to the output's shape. Outputs are contiguous and laid
// out as [batch, m, n]. Every kernel is written once, generically over the accumulation
// type: Double for floating-point tensors, Int64 (wrapping) for integer ones.

let linalgKernels: [(String, Kernel)] = [
    ("mm", { call in try batched(call, "self", "mat2", accumulator(call)) }),
    ("bmm", { call in try batched(call, "self", "mat2", accumulator(call)) }),
    ("matmul", { call in try batched(call, "self", "other", accumulator(call)) }),
    ("addmm", { call in try addmm(call, accumulator(call)) }),
    ("linear", { call in try linear(call, accumulator(call)) }),
]

/// The arithmetic a product needs, for Double and Int64.
protocol ProductScalar {
    static var zero: Self { get }  // the standard library's AdditiveArithmetic.zero
    static func values(of t: Tensor) -> [Self]
    static func store(_ values: [Self], into t: Tensor)
    /// A `Scalar` argument (alpha, beta) in this type.
    static func scalar(_ args: Arguments, _ name: String) -> Self
    static func plus(_ a: Self, _ b: Self) -> Self
    static func times(_ a: Self, _ b: Self) -> Self
}

extension Double: ProductScalar {
    static func values(of t: Tensor) -> [Double] { t.doubleValues() }
    static func store(_ values: [Double], into t: Tensor) { t.setDoubleValues(values) }
    static func scalar(_ args: Arguments, _ name: String) -> Double { args.double(name) }
    static func plus(_ a: Double, _ b: Double) -> Double { a + b }
    static func times(_ a: Double, _ b: Double) -> Double { a * b }
}

extension Int64: ProductScalar {
    static func values(of t: Tensor) -> [Int64] { t.int64Values() }
    static func store(_ values: [Int64], into t: Tensor) { t.setInt64Values(values) }
    static func scalar(_ args: Arguments, _ name: String) -> Int64 {
        if case .int(let v) = args[name] { return Int64(v) }
        return DType.integerValue(args.double(name))
    }
    // PyTorch's integer matmul wraps; Swift's plain operators would trap.
    static func plus(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    static func times(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
}

/// Double for floating-point outputs, Int64 otherwise (the operands share the output's
/// dtype). Passing it to a generic kernel body opens the existential: `T` is that type.
private func accumulator(_ call: KernelCall) -> any ProductScalar.Type {
    call.output.dtype.isFloatingPoint ? Double.self : Int64.self
}

/// C[b, i, j] = sum over p of A[b, i, p] * B[b, p, j], for row-major arrays A of
/// [batch, m, k] and B of [batch, k, n]. With k == 0 every sum is empty: zeros.
func batchedProduct<T: ProductScalar>(_ a: [T], _ b: [T], batch: Int, m: Int, k: Int, n: Int) -> [T] {
    precondition(a.count == batch * m * k && b.count == batch * k * n, "internal: operand sizes disagree with [\(batch), \(m), \(k)] x [\(batch), \(k), \(n)]")
    var c = [T](repeating: T.zero, count: batch * m * n)
    for bt in 0..<batch {
        for i in 0..<m {
            for j in 0..<n {
                var acc = T.zero
                for p in 0..<k {
                    acc = T.plus(acc, T.times(a[(bt * m + i) * k + p], b[(bt * k + p) * n + j]))
                }
                c[(bt * m + i) * n + j] = acc
            }
        }
    }
    return c
}

/// The product of tensors viewed as [batch..., m, k] and [batch..., k, n].
private func product<T: ProductScalar>(_ a: Tensor, _ b: Tensor, as _: T.Type) throws -> [T] {
    guard a.rank >= 2, b.rank == a.rank, a.shape.dropLast(2) == b.shape.dropLast(2),
          a.shape[a.rank - 1] == b.shape[b.rank - 2] else {
        throw TorchError(.shapeMismatch, "internal: reference product expects [batch..., m, k] x [batch..., k, n], got \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
    }
    let batch = a.shape.dropLast(2).reduce(1, *)
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    return batchedProduct(T.values(of: a), T.values(of: b), batch: batch, m: m, k: k, n: n)
}

/// mm, bmm and matmul: after the meta rules all three are one batched product.
private func batched<T: ProductScalar>(_ call: KernelCall, _ left: String, _ right: String, _: T.Type) throws {
    let a = call.arguments.tensor(left), b = call.arguments.tensor(right)
    T.store(try product(a, b, as: T.self), into: call.output)
}

/// beta * self + alpha * (mat1 @ mat2). As in PyTorch (and BLAS), beta == 0 ignores `self`
/// entirely (NaN in it does not propagate), and alpha == 0 skips the product the same way.
private func addmm<T: ProductScalar>(_ call: KernelCall, _: T.Type) throws {
    let args = call.arguments
    let alpha = T.scalar(args, "alpha"), beta = T.scalar(args, "beta")
    let skipProduct = args.double("alpha") == 0, skipSelf = args.double("beta") == 0
    let count = call.output.count
    let p = skipProduct ? [T](repeating: T.zero, count: count)
        : try product(args.tensor("mat1"), args.tensor("mat2"), as: T.self)
    let c = skipSelf ? [T](repeating: T.zero, count: count) : T.values(of: args.tensor("self"))
    guard p.count == count, c.count == count else {
        throw TorchError(.shapeMismatch, "internal: addmm operands disagree with the output's \(count) elements")
    }
    let out = zip(p, c).map { p, c in
        T.plus(skipProduct ? T.zero : T.times(alpha, p), skipSelf ? T.zero : T.times(beta, c))
    }
    T.store(out, into: call.output)
}

/// input @ weight.T + bias over input's last dim. A 2-D weight [n, k] is read through its
/// transpose [k, n]; a 1-D weight [k] as a [k, 1] column (the output then lacks that dim).
private func linear<T: ProductScalar>(_ call: KernelCall, _: T.Type) throws {
    let args = call.arguments
    let x = args.tensor("input"), w = args.tensor("weight")
    guard x.rank >= 1, w.rank == 1 || w.rank == 2 else {
        throw TorchError(.shapeMismatch, "internal: linear expects input of rank >= 1 and a 1-D or 2-D weight")
    }
    let k = x.shape[x.rank - 1]
    let rows = x.shape.dropLast().reduce(1, *)
    let wT = w.rank == 2
        ? Tensor(uncheckedViewOf: w, shape: [w.shape[1], w.shape[0]], strides: [w.strides[1], w.strides[0]], offset: w.offset)
        : Tensor(uncheckedViewOf: w, shape: [w.shape[0], 1], strides: [w.strides[0], 0], offset: w.offset)
    let n = wT.shape[1]
    guard wT.shape[0] == k else {
        throw TorchError(.shapeMismatch, "internal: linear input \(describe(shape: x.shape)) and weight \(describe(shape: w.shape)) disagree on in_features")
    }
    var out = batchedProduct(T.values(of: x), T.values(of: wT), batch: 1, m: rows, k: k, n: n)
    // The bias is already broadcast to the output's shape: same row-major order.
    if let bias = args.optionalTensor("bias") {
        let b = T.values(of: bias)
        guard b.count == out.count else {
            throw TorchError(.shapeMismatch, "internal: linear bias \(describe(shape: bias.shape)) does not match the output")
        }
        out = zip(out, b).map { T.plus($0, $1) }
    }
    T.store(out, into: call.output)
}
