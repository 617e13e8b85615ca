import Foundation
import SwiftTorchCore

/// The operator-by-backend table that `swifttorch ops` prints: for each operator, which
/// backends have a kernel of their own (with their dtypes when restricted), or that it is
/// composite and so runs everywhere; and whether it has a gradient formula.
public enum CoverageTable {
    /// The table as text, one row per operator and one column per backend.
    public static func render() -> String {
        let registry = Runtime.registry
        let backends = registry.backends.map(\.name)
        let nameWidth = max(28, (registry.operators.map(\.name.count).max() ?? 0) + 2)
        let columnWidth = max(12, (backends.map(\.count).max() ?? 0) + 2)
        var lines: [String] = []
        let header = "operator".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + "group".padding(toLength: 13, withPad: " ", startingAt: 0)
            + backends.map { $0.padding(toLength: columnWidth, withPad: " ", startingAt: 0) }.joined() + "grad"
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count))
        var ownKernels = [String: Int]()
        for op in registry.operators {
            var row = op.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + op.definition.group.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
            for backend in backends {
                let cell: String
                if op.definition.composite != nil {
                    cell = "composite"
                } else {
                    let entries = op.kernels.filter { $0.backend == backend }
                    if entries.isEmpty {
                        cell = "-"
                    } else {
                        ownKernels[backend, default: 0] += 1
                        let dtypes = entries.compactMap(\.dtypes)
                        cell = dtypes.count < entries.count ? "yes" : Set(dtypes.flatMap { $0 }).map(\.shortName).sorted().joined(separator: ",")
                    }
                }
                row += cell.padding(toLength: columnWidth, withPad: " ", startingAt: 0)
            }
            row += op.definition.isDifferentiable ? "yes" : "-"
            lines.append(row)
        }
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
