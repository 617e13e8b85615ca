import SwiftTorchCore

/// Reference kernels hold elements as Swift arrays of `Double` or `Int64`, eight bytes per
/// element whatever the dtype, and Swift's array allocation cannot fail softly. Every
/// reference kernel therefore runs behind this check: if the arrays a call could need (one
/// per tensor argument and output) pass what the machine has, the call is an
/// `outOfMemory` error naming the operator, not a trap inside the oracle.
enum WorkingMemory {
    /// `kernel`, preceded by the check.
    static func guarded(_ op: String, _ kernel: @escaping Kernel) -> Kernel {
        { call in
            var elements = 0, overflow = false
            func add(_ t: Tensor) {
                let (sum, o) = elements.addingReportingOverflow(t.count)
                elements = sum
                overflow = overflow || o
            }
            call.arguments.forEachTensor(add)
            call.outputs.forEach(add)
            try HostArrayBudget.require(op, count: overflow ? .max : elements, elementSize: 8,
                                        for: "the reference backend, which holds every element as a Double or an Int64,")
            try kernel(call)
        }
    }
}
