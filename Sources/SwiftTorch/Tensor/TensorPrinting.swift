import Foundation
import SwiftTorchCore

/// Prints tensors as PyTorch's `torch._tensor_str` does: one number style and width for the
/// elements shown, 80-column lines, `...` elision beyond 1000 elements, and suffixes
/// (`dtype=float64`, `requires_grad=True`) that wrap onto their own line when they do not
/// fit. The one difference: dtypes are named as in Swift (`float64`, not `torch.float64`).
enum TensorFormatter {
    /// PyTorch's default print options.
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80
    static let precision = 4

    static func format(_ t: Tensor) -> String {
        let prefix = "tensor("
        let indent = prefix.count
        let host: Tensor
        do { host = try t.cpu() } catch { return "tensor(<cannot read from \(t.device): \(error)>)" }
        var suffixes: [String] = []
        if !t.device.isCPU { suffixes.append("device='\(t.device)'") }
        let body: String
        if host.count == 0 {
            body = "[]"
            // An empty tensor shows its shape unless it is (0,), and its dtype unless it is
            // the default float type: there are no elements to tell it.
            if host.rank != 1 { suffixes.append("size=(" + host.shape.map(String.init).joined(separator: ", ") + ")") }
            if host.dtype != .defaultFloat { suffixes.append("dtype=\(host.dtype)") }
        } else {
            let summarize = host.count > threshold
            // The style and width come from the elements shown, as PyTorch's formatter sees
            // only the summarised data.
            var shown: [Element] = []
            visitShown(host, dim: 0, offset: host.offset, summarize: summarize) { shown.append(Element(host, at: $0)) }
            let formatter = ElementFormatter(dtype: host.dtype, shown: shown)
            body = layout(host, dim: 0, offset: host.offset, indent: indent, summarize: summarize, formatter: formatter)
            if ![DType.defaultFloat, .int64, .bool].contains(host.dtype) { suffixes.append("dtype=\(host.dtype)") }
        }
        if let fn = t.gradFn {
            suffixes.append("grad_fn=<\(fn.name)>")
        } else if t.requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return addSuffixes(prefix + body, suffixes, indent: indent)
    }

    /// Indices along a dimension of `size`; -1 marks the `...` gap.
    static func shownIndices(_ size: Int, summarize: Bool) -> [Int] {
        if summarize && size > 2 * edgeItems {
            return Array(0..<edgeItems) + [-1] + Array((size - edgeItems)..<size)
        }
        return Array(0..<size)
    }

    /// Calls `visit` with the storage offset of every element shown.
    static func visitShown(_ t: Tensor, dim: Int, offset: Int, summarize: Bool, _ visit: (Int) -> Void) {
        if dim == t.rank { visit(offset); return }
        for i in shownIndices(t.shape[dim], summarize: summarize) where i >= 0 {
            visitShown(t, dim: dim + 1, offset: offset + i * t.strides[dim], summarize: summarize, visit)
        }
    }

    /// PyTorch's `_tensor_str_with_formatter`: nested brackets, `indent` columns deep.
    static func layout(_ t: Tensor, dim: Int, offset: Int, indent: Int, summarize: Bool, formatter: ElementFormatter) -> String {
        if t.rank == 0 { return formatter.format(Element(t, at: offset)) }
        let step = t.strides[dim]
        let shown = shownIndices(t.shape[dim], summarize: summarize)
        if dim == t.rank - 1 {
            // The gap in a row is " ...", one more space than between rows.
            let items = shown.map { $0 < 0 ? " ..." : formatter.format(Element(t, at: offset + $0 * step)) }
            let perLine = Swift.max(1, (lineWidth - indent) / (formatter.width + 2))
            let lines = stride(from: 0, to: items.count, by: perLine).map {
                items[$0..<Swift.min($0 + perLine, items.count)].joined(separator: ", ")
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let parts = shown.map {
            $0 < 0 ? "..." : layout(t, dim: dim + 1, offset: offset + $0 * step, indent: indent + 1,
                                    summarize: summarize, formatter: formatter)
        }
        let separator = "," + String(repeating: "\n", count: t.rank - dim - 1) + String(repeating: " ", count: indent + 1)
        return "[" + parts.joined(separator: separator) + "]"
    }

    /// PyTorch's `_add_suffixes`: a suffix goes on its own line, indented, when the current
    /// line would pass the line width.
    static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var result = text
        // PyTorch counts the last line this way (two more than its length).
        var lastLineLength = (text.lastIndex(of: "\n").map { text[text.index(after: $0)...].count } ?? text.count) + 2
        for suffix in suffixes {
            if lastLineLength + suffix.count + 2 > lineWidth {
                result += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.count
            } else {
                result += ", " + suffix
                lastLineLength += suffix.count + 2
            }
        }
        return result + ")"
    }
}

extension TensorFormatter {
    /// One element as printing reads it.
    enum Element {
        case real(Double)
        case integer(Int64)
        case boolean(Bool)

        /// The element at storage offset `offset` (in elements) of a CPU tensor.
        init(_ t: Tensor, at offset: Int) {
            let p = t.storage.data
            switch t.dtype {
            case .float32: self = .real(Double(p.load(fromByteOffset: offset * 4, as: Float.self)))
            case .float64: self = .real(p.load(fromByteOffset: offset * 8, as: Double.self))
            case .int32: self = .integer(Int64(p.load(fromByteOffset: offset * 4, as: Int32.self)))
            case .int64: self = .integer(p.load(fromByteOffset: offset * 8, as: Int64.self))
            case .bool: self = .boolean(p.load(fromByteOffset: offset, as: UInt8.self) != 0)
            }
        }
    }

    /// PyTorch's `_Formatter`: chooses one style for all the elements shown and the width they
    /// are right-aligned to.
    struct ElementFormatter {
        enum Style {
            /// Integers and bools as Python prints them.
            case plain
            /// Floats that are all whole numbers: `3.`.
            case integral
            /// `{:.4f}`.
            case fixed
            /// `{:.4e}`, when magnitudes span more than 1000x, pass 1e8, or (non-integral) go below 1e-4.
            case scientific
        }

        let style: Style
        /// Computed over the nonzero finite values only, as in PyTorch: `nan` and `inf` may be
        /// narrower (then padded) or wider (then not).
        let width: Int

        init(dtype: DType, shown: [Element]) {
            guard dtype.isFloatingPoint else {
                style = .plain
                width = shown.map { ElementFormatter.plain($0).count }.max() ?? 1
                return
            }
            let values = shown.compactMap { e -> Double? in
                if case .real(let v) = e, v.isFinite, v != 0 { return v }
                return nil
            }
            guard !values.isEmpty else {
                style = .integral
                width = 1
                return
            }
            let magnitudes = values.map { Swift.abs($0) }
            let lo = magnitudes.min()!, hi = magnitudes.max()!
            let integral = values.allSatisfy { $0.rounded(.up) == $0 }
            if hi / lo > 1000 || hi > 1e8 || (!integral && lo < 1e-4) {
                style = .scientific
                width = values.map { ElementFormatter.scientific($0).count }.max()!
            } else if integral {
                style = .integral
                width = values.map { ElementFormatter.fixed($0, digits: 0).count + 1 }.max()!
            } else {
                style = .fixed
                width = values.map { ElementFormatter.fixed($0, digits: TensorFormatter.precision).count }.max()!
            }
        }

        /// The element's text, right-aligned to `width`.
        func format(_ e: Element) -> String {
            let text: String
            switch e {
            case .real(let v) where v.isNaN: text = "nan"
            case .real(let v) where v.isInfinite: text = v > 0 ? "inf" : "-inf"
            case .real(let v):
                switch style {
                case .scientific: text = ElementFormatter.scientific(v)
                case .integral: text = ElementFormatter.fixed(v, digits: 0) + "."
                case .fixed, .plain: text = ElementFormatter.fixed(v, digits: TensorFormatter.precision)
                }
            default: text = ElementFormatter.plain(e)
            }
            return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
        }

        static func plain(_ e: Element) -> String {
            switch e {
            case .boolean(let b): b ? "True" : "False"
            case .integer(let i): String(i)
            case .real(let v): String(v)
            }
        }

        static func fixed(_ v: Double, digits: Int) -> String { String(format: "%.\(digits)f", v) }
        static func scientific(_ v: Double) -> String { String(format: "%.\(TensorFormatter.precision)e", v) }
    }
}

extension Tensor: CustomStringConvertible {
    /// PyTorch's printed form of the tensor.
    public var description: String { TensorFormatter.format(self) }
}
