import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SwiftTorch
import Testing

// The metrics log (CSV, written atomically, read back to resume) and the SVG plot: well-formed
// XML whose polylines hold every point of their series.

private func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-\(UUID().uuidString)-\(name)")
}

/// The elements of an XML document with their attributes, in document order; parsing
/// fails (and the test with it) if the document is not well-formed.
private final class Elements: NSObject, XMLParserDelegate {
    var found: [(name: String, attributes: [String: String])] = []

    static func parse(_ text: String) throws -> [(name: String, attributes: [String: String])] {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Elements()
        parser.delegate = collector
        guard parser.parse() else {
            throw TorchError(.io, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        return collector.found
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        found.append((name, attributes))
    }
}

/// The (x, y) pairs of a polyline's `points` attribute.
private func coordinates(_ points: String) -> [(x: Double, y: Double)] {
    points.split(separator: " ").map { pair in
        let xy = pair.split(separator: ",").map { Double($0)! }
        return (xy[0], xy[1])
    }
}

private func sampleLog(url: URL? = nil) throws -> MetricsLog {
    let log = MetricsLog(url: url)
    let losses = [1.2, 0.7, 0.45, 0.38, 0.31], testLosses = [1.1, 0.8, 0.6, 0.55, 0.52], accuracy = [0.61, 0.78, 0.85, 0.88, 0.9]
    for epoch in 1...5 {
        try log.append(epoch: epoch, ["train_loss": losses[epoch - 1], "test_loss": testLosses[epoch - 1], "test_accuracy": accuracy[epoch - 1]])
    }
    return log
}

@Suite("Metrics log and SVG plots")
struct MetricsPlotTests {
    @Test func theLogWritesACSVRowPerAppend() throws {
        let url = temporaryFile("metrics.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let log = MetricsLog(url: url)
        try log.append(epoch: 1, ["loss": 0.5, "accuracy": 0.75])
        #expect(try String(contentsOf: url, encoding: .utf8) == "epoch,loss,accuracy\n1,0.5,0.75\n")
        try log.append(epoch: 2, step: 40, ["loss": 0.25, "lr": 1e-05])
        #expect(try String(contentsOf: url, encoding: .utf8) == "epoch,step,loss,accuracy,lr\n1,,0.5,0.75,\n2,40,0.25,,1e-05\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(url.lastPathComponent)") }
        #expect(leftovers.isEmpty)
    }

    @Test func aLogReadBackContinuesWhereItStopped() throws {
        let url = temporaryFile("resume.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let log = try sampleLog(url: url)
        try log.append(epoch: 6, ["train_loss": .nan, "odd,name": 1])
        let resumed = try MetricsLog(contentsOf: url)
        #expect(resumed.columns == log.columns)
        #expect(resumed.column("test_accuracy").prefix(5) == [0.61, 0.78, 0.85, 0.88, 0.9])
        #expect(resumed.column("train_loss")[5]?.isNaN == true)
        #expect(resumed.column("odd,name") == [nil, nil, nil, nil, nil, 1])
        try resumed.append(epoch: 7, ["train_loss": 0.2])
        #expect(try MetricsLog(contentsOf: url).rows.count == 7)
    }

    @Test func reservedColumnsAndBadFilesThrow() throws {
        let log = MetricsLog()
        #expect(throws: TorchError.self) { try log.append(epoch: 1, ["epoch": 2]) }
        let url = temporaryFile("bad.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "epoch,loss\n1,abc\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: TorchError.self) { try MetricsLog(contentsOf: url) }
        try "epoch,loss\n1\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: TorchError.self) { try MetricsLog(contentsOf: url) }
        #expect(throws: TorchError.self) { try MetricsLog(contentsOf: temporaryFile("missing.csv")) }
    }

    @Test func thePlotIsWellFormedSVGWithEverySeriesPoint() throws {
        let log = try sampleLog()
        let svg = log.figure().svg()
        let elements = try Elements.parse(svg)
        #expect(elements.first?.name == "svg")
        #expect(elements.filter { $0.name == "g" && $0.attributes["class"] == "panel" }.count == 2)
        let series = elements.filter { $0.name == "polyline" && $0.attributes["class"] == "series" }
        #expect(series.map { $0.attributes["data-series"] } == ["train_loss", "test_loss", "test_accuracy"])
        for line in series {
            let name = try #require(line.attributes["data-series"])
            let values = log.column(name).compactMap { $0 }
            let points = coordinates(try #require(line.attributes["points"]))
            #expect(points.count == values.count)
            // x grows with the epoch; y is an affine image of the value (up on screen is lower y).
            #expect(zip(points, points.dropFirst()).allSatisfy { $0.x < $1.x })
            let slope = (points[1].y - points[0].y) / (values[1] - values[0])
            #expect(slope < 0)
            for (p, v) in zip(points, values) { #expect(Swift.abs(p.y - (points[0].y + slope * (v - values[0]))) < 0.02) }
        }
        let texts = elements.filter { $0.name == "text" }.count
        #expect(texts > 10)  // titles, tick labels, axis labels, legend entries
    }

    @Test func namesAreEscapedAndNonFinitePointsLeftOut() throws {
        var plot = LinePlot(title: "a < b & \"c\"", xLabel: "step", yLabel: "value")
        plot.add("x<y", [1, .nan, 3, .infinity, 5])
        let elements = try Elements.parse(PlotFigure(panels: [plot]).svg())
        let line = try #require(elements.first { $0.attributes["class"] == "series" })
        #expect(line.attributes["data-series"] == "x<y")
        #expect(coordinates(try #require(line.attributes["points"])).count == 3)
    }

    @Test func aSinglePointOrFlatSeriesStillGetsAnAxis() throws {
        var plot = LinePlot()
        plot.add("flat", [2, 2, 2])
        let elements = try Elements.parse(PlotFigure(panels: [plot]).svg())
        let points = coordinates(try #require(elements.first { $0.attributes["class"] == "series" }?.attributes["points"]))
        #expect(points.map(\.y).allSatisfy { $0.isFinite && $0 == points[0].y })
    }

    @Test func theFigureIsWrittenToAFile() throws {
        let url = temporaryFile("plot.svg")
        defer { try? FileManager.default.removeItem(at: url) }
        let log = try sampleLog()
        try log.writePlot(to: url, panels: [["test_accuracy"]])
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == log.figure(panels: [["test_accuracy"]]).svg())
        #expect(try Elements.parse(text).filter { $0.attributes["class"] == "series" }.count == 1)
    }
}
