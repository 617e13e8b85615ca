import Foundation
import SwiftTorchCore

/// The operator-by-backend table that `swifttorch ops` prints: for each operator, which
/// backends have a kernel of their own (with their dtypes when restricted), or that it is
/// composite and so runs everywhere; and whether it has a gradient formula.
public enum CoverageTable {
    /// The table as text, one row per operator and one column per backend. Each column is
    /// as wide as its longest cell, so a dtype list is never cut short.
    public static func render() -> String {
        let registry = Runtime.registry
        let backends = registry.backends.map(\.name)
        var ownKernels = [String: Int]()
        var rows: [[String]] = [["operator", "group"] + backends + ["grad"]]
        for op in registry.operators {
            var row = [op.name, op.definition.group.rawValue]
            for backend in backends {
                if op.definition.composite != nil {
                    row.append("composite")
                    continue
                }
                let entries = op.kernels.filter { $0.backend == backend }
                if entries.isEmpty {
                    row.append("-")
                } else {
                    ownKernels[backend, default: 0] += 1
                    let dtypes = entries.compactMap(\.dtypes)
                    row.append(dtypes.count < entries.count ? "yes" : Set(dtypes.flatMap { $0 }).map(\.shortName).sorted().joined(separator: ","))
                }
            }
            row.append(op.definition.isDifferentiable ? "yes" : "-")
            rows.append(row)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! + 2 }
        let format = { (row: [String]) -> String in
            zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }.joined()
                .trimmingCharacters(in: .whitespaces)
        }
        var lines = [format(rows[0]), String(repeating: "-", count: widths.reduce(0, +) - 2)]
        lines += rows.dropFirst().map(format)
        let kernelOps = registry.operators.filter { $0.definition.composite == nil }.count
        lines.append("")
        lines.append("\(registry.operators.count) operators (\(registry.operators.count - kernelOps) composite); own kernels: "
            + backends.map { "\($0) \(ownKernels[$0, default: 0])/\(kernelOps)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

extension DType {
    /// Compact name for the coverage table.
    var shortName: String {
        switch self {
        case .float32: "f32"
        case .float64: "f64"
        case .int32: "i32"
        case .int64: "i64"
        case .bool: "bool"
        }
    }
}
