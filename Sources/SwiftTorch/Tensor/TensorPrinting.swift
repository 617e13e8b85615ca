import Foundation
import SwiftTorchCore

/// Prints tensors as PyTorch does: `tensor([[1.0000, 2.5000], ...], dtype=float64)`,
/// with a common element width, 80-column wrapping and `...` elision beyond 1000 elements.
enum TensorFormatter {
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80

    static func format(_ t: Tensor) -> String {
        let host: Tensor
        do { host = try t.cpu() } catch { return "tensor(<cannot read from \(t.device): \(error)>)" }
        let summarize = host.count > threshold
        var suffixes: [String] = []
        let body: String
        if host.count == 0 {
            body = "[]"
            if host.rank != 1 { suffixes.append("size=(\(host.shape.map(String.init).joined(separator: ", "))\(host.rank == 1 ? "," : ""))") }
        } else {
            let element = elementFormatter(host, summarize: summarize)
            body = render(host, index: [], indent: 7, summarize: summarize, element: element)
        }
        if host.dtype != .defaultFloat && host.dtype != .int64 && host.dtype != .bool || (host.count == 0 && host.dtype != .defaultFloat) {
            suffixes.append("dtype=\(host.dtype)")
        }
        if !t.device.isCPU { suffixes.append("device='\(t.device)'") }
        if let fn = t.gradFn {
            suffixes.append("grad_fn=<\(fn.name)>")
        } else if t.requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return "tensor(" + ([body] + suffixes).joined(separator: ", ") + ")"
    }

    /// Chooses PyTorch's number style from the values shown: integers as `1.`, fixed `1.2500`,
    /// or scientific `1.2500e+03` when magnitudes span more than 1000x.
    static func elementFormatter(_ t: Tensor, summarize: Bool) -> (Double, Int64) -> String {
        switch t.dtype {
        case .bool: return { d, _ in d != 0 ? "True" : "False" }
        case .int32, .int64: return { _, i in String(i) }
        case .float32, .float64: break
        }
        let finite = t.doubleValues().filter { $0.isFinite && $0 != 0 }.map { Swift.abs($0) }
        let intMode = finite.allSatisfy { $0.rounded(.up) == $0 }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 0
        let sci = !finite.isEmpty && (hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4))
        let pattern = sci ? "%.4e" : (intMode ? "%.0f." : "%.4f")
        return { d, _ in
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            return String(format: pattern, d)
        }
    }

    static func render(_ t: Tensor, index: [Int], indent: Int, summarize: Bool, element: (Double, Int64) -> String) -> String {
        // Pad every element to one width, computed over what is shown.
        var strings: [[Int]: String] = [:]
        collect(t, index: [], summarize: summarize) { idx in
            let v = try! t.narrowTo(idx)
            strings[idx] = element(v.doubleValues()[0], v.int64Values()[0])
        }
        let width = strings.values.map(\.count).max() ?? 0
        return layout(t, index: [], indent: indent, summarize: summarize, width: width) { idx in
            let s = strings[idx]!
            return String(repeating: " ", count: width - s.count) + s
        }
    }

    /// Visits the indices that are shown (all, or the edges of each dimension).
    static func collect(_ t: Tensor, index: [Int], summarize: Bool, _ visit: ([Int]) -> Void) {
        if index.count == t.rank { visit(index); return }
        for i in shownIndices(t.shape[index.count], summarize: summarize) where i >= 0 {
            collect(t, index: index + [i], summarize: summarize, visit)
        }
    }

    /// Indices along a dimension; -1 marks the `...` gap.
    static func shownIndices(_ size: Int, summarize: Bool) -> [Int] {
        if summarize && size > 2 * edgeItems {
            return Array(0..<edgeItems) + [-1] + Array((size - edgeItems)..<size)
        }
        return Array(0..<size)
    }

    static func layout(_ t: Tensor, index: [Int], indent: Int, summarize: Bool, width: Int, _ element: ([Int]) -> String) -> String {
        let dim = index.count
        if dim == t.rank { return element(index) }
        let shown = shownIndices(t.shape[dim], summarize: summarize)
        if dim == t.rank - 1 {
            let items = shown.map { $0 < 0 ? "..." : element(index + [$0]) }
            let perLine = Swift.max(1, (lineWidth - indent) / (width + 2))
            var lines: [String] = []
            for start in stride(from: 0, to: items.count, by: perLine) {
                lines.append(items[start..<Swift.min(start + perLine, items.count)].joined(separator: ", "))
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let separator = "," + String(repeating: "\n", count: t.rank - dim - 1) + String(repeating: " ", count: indent + 1)
        let parts = shown.map { $0 < 0 ? "..." : layout(t, index: index + [$0], indent: indent + 1, summarize: summarize, width: width, element) }
        return "[" + parts.joined(separator: separator) + "]"
    }
}

extension Tensor {
    /// The 0-d view of one element (printing only).
    fileprivate func narrowTo(_ index: [Int]) throws -> Tensor {
        let offset = zip(index, strides).map(*).reduce(self.offset, +)
        return Tensor(viewOf: self, shape: [], strides: [], offset: offset)
    }
}

extension Tensor: CustomStringConvertible {
    /// PyTorch's printed form of the tensor.
    public var description: String { TensorFormatter.format(self) }
}
