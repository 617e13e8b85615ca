import SwiftTorchCore

/// What a successful call must hand back: tensors with non-negative sizes whose element
/// count fits an Int, views that stay inside their storage, and elements that can be read
/// and printed. An operator that returns anything else has let bad input through, and the
/// crash would come later, in the user's code.
enum FuzzOutputCheck {
    /// Reading and printing every element is cheap up to this many.
    static let readLimit = 1 << 16

    /// Why `t` is not a sound tensor, or nil.
    static func problem(_ t: Tensor, _ what: String) -> String? {
        if let d = t.shape.firstIndex(where: { $0 < 0 }) {
            return "\(what) has a negative size at dim \(d): \(describe(shape: t.shape))"
        }
        var count = 1, overflow = false
        for size in t.shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: size) }
        if overflow { return "\(what) has more elements than an Int counts: \(describe(shape: t.shape))" }
        guard count > 0, t.device.isCPU else { return nil }
        var lowest = t.offset, highest = t.offset
        for (size, stride) in zip(t.shape, t.strides) {
            let (span, spanOverflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (end, endOverflow) = (span < 0 ? lowest : highest).addingReportingOverflow(span)
            if spanOverflow || endOverflow {
                return "\(what) is a view whose extent overflows: shape \(describe(shape: t.shape)), strides \(describe(shape: t.strides)), offset \(t.offset)"
            }
            if span < 0 { lowest = end } else { highest = end }
        }
        let elements = t.storage.byteCount / t.dtype.itemSize
        if lowest < 0 || highest >= elements {
            return "\(what) reaches elements \(lowest)...\(highest) of a storage of \(elements): shape \(describe(shape: t.shape)), strides \(describe(shape: t.strides)), offset \(t.offset)"
        }
        return nil
    }

    /// Reads every element (small tensors) and prints the tensor, as a user would next.
    static func touch(_ t: Tensor) {
        guard t.device.isCPU else { return }
        if t.shape.reduce(1, *) <= readLimit { _ = t.doubleValues() }
        _ = String(describing: t)
    }

    /// The first problem among `outputs`, or nil after touching each.
    static func problem(in outputs: [Tensor], of op: String) -> String? {
        for (i, t) in outputs.enumerated() {
            if let p = problem(t, "\(op) output \(i)") { return p }
            touch(t)
        }
        return nil
    }
}
