import Foundation
import SwiftTorchCore

/// A table of training metrics, one row per epoch (or step), kept as a CSV file: what a
/// tutorial collects in lists to plot later, saved as it goes.
///
/// <!-- snippet: metrics-log -->
/// ```swift
/// let log = MetricsLog(url: folder.appendingPathComponent("metrics.csv"))
/// try log.append(epoch: 1, ["loss": 0.52, "accuracy": 0.91])
/// ```
///
/// Columns are `epoch`, then `step` once a row has one, then the values' names in the order
/// they first appear; a row without some value leaves its cell empty. Every append rewrites
/// the file atomically (a temporary file, then a rename), so a reader never sees half a row.
public final class MetricsLog {
    /// Where the log is written after each append, or nil to keep it in memory.
    public let url: URL?
    /// The column names, in file order.
    public private(set) var columns: [String] = ["epoch"]
    /// The rows: each column's value, absent where the row has none.
    public private(set) var rows: [[String: Double]] = []

    /// An empty log, written to `url` (if given) on every append.
    public init(url: URL? = nil) {
        self.url = url
    }

    /// The log in the CSV file at `url` (one written by a `MetricsLog`), to continue it after
    /// resuming from a checkpoint; appends go to the same file.
    public init(contentsOf url: URL) throws {
        self.url = url
        let text = String(decoding: try readFileBytes(url, what: "metrics log"), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { MetricsLog.cells(String($0)) }
        guard let header = lines.first, !header.isEmpty else { throw TorchError(.io, "metrics log \(url.path): no header line") }
        columns = header
        for (number, cells) in lines.dropFirst().enumerated() {
            guard cells.count == header.count else {
                throw TorchError(.io, "metrics log \(url.path): line \(number + 2) has \(cells.count) cells, the header \(header.count)")
            }
            var row: [String: Double] = [:]
            for (name, cell) in zip(header, cells) where !cell.isEmpty {
                guard let value = Double(cell) else {
                    throw TorchError(.io, "metrics log \(url.path): line \(number + 2), column '\(name)': '\(cell)' is not a number")
                }
                row[name] = value
            }
            rows.append(row)
        }
    }

    /// Adds a row for `epoch` (and `step`, if given) with `values`, then rewrites the file.
    public func append(epoch: Int, step: Int? = nil, _ values: KeyValuePairs<String, Double>) throws {
        var row: [String: Double] = ["epoch": Double(epoch)]
        if let step {
            if !columns.contains("step") { columns.insert("step", at: 1) }
            row["step"] = Double(step)
        }
        for (name, value) in values {
            guard name != "epoch", name != "step" else {
                throw TorchError(.invalidArgument, "MetricsLog.append: '\(name)' is a reserved column; pass it as the \(name) argument")
            }
            if !columns.contains(name) { columns.append(name) }
            row[name] = value
        }
        rows.append(row)
        if let url { try write(to: url) }
    }

    /// The values of column `name`, one per row (nil where the row has none).
    public func column(_ name: String) -> [Double?] { rows.map { $0[name] } }

    /// The rows that have both `x` and `y`, as points (to plot `y` against `x`).
    public func points(_ y: String, x: String = "epoch") -> [(x: Double, y: Double)] {
        rows.compactMap { row in row[x].flatMap { xv in row[y].map { (x: xv, y: $0) } } }
    }

    /// The log as CSV text: a header line, then one line per row.
    public var csv: String {
        let header = columns.map(MetricsLog.quoted).joined(separator: ",")
        let body = rows.map { row in columns.map { row[$0].map(MetricsLog.format) ?? "" }.joined(separator: ",") }
        return ([header] + body).joined(separator: "\n") + "\n"
    }

    /// Writes ``csv`` to `url` atomically.
    public func write(to url: URL) throws {
        let bytes = Array(csv.utf8)
        try writeFileAtomically(url, what: "metrics log") { try $0.write(bytes) }
    }

    /// Whole numbers without a decimal point (epochs, steps), others in Swift's shortest
    /// exact form (`0.1`, `1e-05`, `nan`, `inf`), which Python and spreadsheets read back.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, Swift.abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// A header cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
    static func quoted(_ name: String) -> String {
        name.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
    }

    /// One line's cells, undoing ``quoted(_:)``.
    static func cells(_ line: String) -> [String] {
        var cells: [String] = [], cell = "", inQuotes = false
        var characters = line.makeIterator()
        while let c = characters.next() {
            switch (c, inQuotes) {
            case ("\"", true):
                if let nextCharacter = characters.next() {
                    if nextCharacter == "\"" { cell.append("\"") } else {
                        inQuotes = false
                        if nextCharacter == "," { cells.append(cell); cell = "" } else { cell.append(nextCharacter) }
                    }
                } else { inQuotes = false }
            case ("\"", false) where cell.isEmpty: inQuotes = true
            case (",", false): cells.append(cell); cell = ""
            case ("\r", false): continue
            default: cell.append(c)
            }
        }
        cells.append(cell)
        return cells
    }
}
