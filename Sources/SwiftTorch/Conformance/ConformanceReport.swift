import Foundation
import SwiftTorchCore

/// Results of a conformance run, with the summaries the CLI prints.
public struct ConformanceReport: Sendable {
    /// One result per case and backend.
    public let results: [CaseResult]

    /// How many results passed.
    public var passed: Int { results.filter { $0.outcome == .passed }.count }
    /// The results that failed.
    public var failed: [CaseResult] { results.filter { if case .failed = $0.outcome { return true }; return false } }
    /// How many results were skipped.
    public var skipped: Int { results.filter { if case .skipped = $0.outcome { return true }; return false }.count }

    /// `N passed, N failed, N skipped`: one count per case and backend.
    public var totalsLine: String { "\(passed) passed, \(failed.count) failed, \(skipped) skipped" }

    /// The full text report: per backend, per operator group, each failure, then the totals.
    public func render(verboseSkips: Bool = false) -> String {
        var lines: [String] = []
        let backends = results.map(\.backend).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for backend in backends {
            let mine = results.filter { $0.backend == backend }
            lines.append("backend \(backend): \(ConformanceReport(results: mine).totalsLine)")
            let groups = mine.map(\.group).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for group in groups {
                let g = ConformanceReport(results: mine.filter { $0.group == group })
                lines.append("  \(group.padding(toLength: 12, withPad: " ", startingAt: 0)) \(g.totalsLine)")
            }
        }
        if !failed.isEmpty {
            lines.append("")
            lines.append("failures:")
            for r in failed {
                if case .failed(let why, let diff) = r.outcome {
                    lines.append("  FAIL \(r.caseID) [\(r.backend)] max |diff| \(diff): \(why)")
                }
            }
        }
        if verboseSkips {
            let skips = results.compactMap { r -> String? in
                if case .skipped(let why) = r.outcome { return "  SKIP \(r.caseID) [\(r.backend)]: \(why)" }
                return nil
            }
            if !skips.isEmpty { lines.append(""); lines.append("skipped:"); lines.append(contentsOf: skips) }
        }
        lines.append(totalsLine)
        return lines.joined(separator: "\n")
    }
}
