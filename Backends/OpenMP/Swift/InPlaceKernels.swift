import COpenMPKernels
import SwiftTorchCore

// In-place kernels of the OpenMP backend (C side: inplace.c and the elementwise kernels).
// Meta (Sources/SwiftTorch/Ops/InPlaceRules.swift) has cast every operand to self's dtype,
// broadcast it to self's shape, and refused partial overlaps, so each kernel walks self's
// own strides and writes each element once, after reading it.

enum InPlaceOMP {
    private typealias E = ElementwiseOMP

    /// The out-of-place kernel of `name` with `self` as its output: add_ is add written
    /// into self (PyTorch's structured_delegate). Reading and then writing the same element
    /// is safe, so an operand that is self itself needs no staging.
    private static func writingSelf(_ name: String) -> (String, Kernel) {
        let kernel = elementwiseKernels.first { $0.0 == name }!.1
        return (name + "_", { call in try kernel(KernelCall(arguments: call.arguments, outputs: [call.arguments.tensor("self")])) })
    }

    /// `self = op(self, first, second)` in C; `value` is the Scalar argument (1 for lerp).
    private static func ternary(_ name: String, _ op: st_inplace_op, _ operands: (String, String), value: String?) -> (String, Kernel) {
        (name, { call in
            let t = call.arguments.tensor("self")
            let a = call.arguments.tensor(operands.0), b = call.arguments.tensor(operands.1)
            try E.require(name, [a, b], shape: t.shape, dtype: t.dtype)
            let scalar = value.map { call.arguments[$0] } ?? .int(1)
            let geometry = [StridedOperand(t), StridedOperand(a), StridedOperand(b)]
            let status: Int32
            if t.dtype.isFloatingPoint {
                let v = E.scalar(scalar) ?? 1
                status = StridedLoop.run(t.shape, geometry) { g, p in
                    st_ip_ternary(Int32(op.rawValue), StridedLoop.code(t.dtype), g, p[0], p[1], p[2], v)
                }
            } else {
                let v = try E.integerAlpha(name, scalar, name: value ?? "value")
                status = StridedLoop.run(t.shape, geometry) { g, p in
                    st_ip_addcmul_int(StridedLoop.code(t.dtype), g, p[0], p[1], p[2], v)
                }
            }
            try E.check(name, status, [t.dtype])
        })
    }

    /// Every element of the view `self` set to `value`, converted as `full` converts.
    private static func fill(_ name: String, _ value: @escaping @Sendable (KernelCall) -> ArgumentValue) -> (String, Kernel) {
        (name, { call in
            let t = call.arguments.tensor("self")
            let bits = ElementwiseCopyOMP.bits(value(call), t.dtype)
            let status = StridedLoop.run(t.shape, [StridedOperand(t)]) { g, p in
                st_ip_fill(Int32(t.dtype.itemSize), g, p[0], bits)
            }
            try E.check(name, status, [t.dtype])
        })
    }

    static let kernels: [(String, Kernel)] = ["add", "sub", "mul", "div", "clamp"].map(writingSelf) + [
        ternary("addcmul_", ST_IP_ADDCMUL, ("tensor1", "tensor2"), value: "value"),
        ternary("addcdiv_", ST_IP_ADDCDIV, ("tensor1", "tensor2"), value: "value"),
        ternary("lerp_", ST_IP_LERP, ("end", "weight"), value: nil),
        fill("fill_") { $0.arguments["value"] },
        fill("zero_") { _ in .int(0) },
    ]

    /// The kernels that also serve integer (and, but for addcmul_, bool) tensors.
    static let integerOps: Set<String> = ["add_", "sub_", "mul_", "div_", "clamp_", "fill_", "zero_", "addcmul_"]
}
