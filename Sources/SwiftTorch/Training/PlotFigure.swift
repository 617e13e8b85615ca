import Foundation

/// Line plots side by side, written as one SVG image, as matplotlib's
/// `fig, (ax1, ax2) = plt.subplots(1, 2)` then `fig.savefig("curves.svg")`: axes with
/// ticks and grid lines, one polyline per series, a legend. Plain text, no dependencies;
/// browsers, GitHub and editors show it.
public struct PlotFigure: Sendable {
    /// The charts, left to right.
    public var panels: [LinePlot]
    /// Each panel's width in pixels.
    public var panelWidth: Int
    /// The figure's height in pixels.
    public var height: Int

    /// A figure of `panels`, each `panelWidth` by `height` pixels.
    public init(panels: [LinePlot], panelWidth: Int = 420, height: Int = 300) {
        self.panels = panels
        self.panelWidth = panelWidth
        self.height = height
    }

    /// matplotlib's default colour cycle (tab10).
    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Space around each chart's plotting area, for the title, tick labels and axis labels.
    private static let margin = (left: 58.0, right: 14.0, top: 30.0, bottom: 44.0)

    /// The figure as an SVG document. Each series is a `<polyline class="series">` whose
    /// `data-series` attribute is its name, so tools (and tests) can find it.
    public func svg() -> String {
        let width = panelWidth * Swift.max(panels.count, 1)
        var out = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)" font-family="sans-serif" font-size="11">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
        ]
        for (i, panel) in panels.enumerated() {
            out.append(#"<g class="panel" transform="translate(\#(i * panelWidth),0)">"#)
            out += render(panel)
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Writes ``svg()`` to `url` atomically.
    public func write(to url: URL) throws {
        let bytes = Array(svg().utf8)
        try writeFileAtomically(url, what: "plot") { try $0.write(bytes) }
    }

    private func render(_ panel: LinePlot) -> [String] {
        let m = PlotFigure.margin
        let (left, right) = (m.left, Double(panelWidth) - m.right)
        let (top, bottom) = (m.top, Double(height) - m.bottom)
        let points = panel.finitePoints
        let xAxis = PlotAxis(covering: points.map(\.x)), yAxis = PlotAxis(covering: points.map(\.y))
        func x(_ v: Double) -> String { PlotFigure.number(xAxis.position(v, from: left, to: right)) }
        func y(_ v: Double) -> String { PlotFigure.number(yAxis.position(v, from: bottom, to: top)) }
        let (l, r, t, b) = (PlotFigure.number(left), PlotFigure.number(right), PlotFigure.number(top), PlotFigure.number(bottom))
        var out: [String] = []
        if !panel.title.isEmpty {
            out.append(#"<text x="\#(PlotFigure.number((left + right) / 2))" y="18" text-anchor="middle" font-size="13">\#(PlotFigure.escaped(panel.title))</text>"#)
        }
        // Grid lines and tick labels, then the axes on top of the grid.
        for tick in yAxis.ticks {
            out.append(#"<line x1="\#(l)" y1="\#(y(tick))" x2="\#(r)" y2="\#(y(tick))" stroke="rgb(224,224,224)"/>"#)
            out.append(#"<text x="\#(PlotFigure.number(left - 6))" y="\#(y(tick))" text-anchor="end" dominant-baseline="middle">\#(yAxis.label(tick))</text>"#)
        }
        for tick in xAxis.ticks {
            out.append(#"<line x1="\#(x(tick))" y1="\#(t)" x2="\#(x(tick))" y2="\#(b)" stroke="rgb(224,224,224)"/>"#)
            out.append(#"<text x="\#(x(tick))" y="\#(PlotFigure.number(bottom + 16))" text-anchor="middle">\#(xAxis.label(tick))</text>"#)
        }
        out.append(#"<polyline points="\#(l),\#(t) \#(l),\#(b) \#(r),\#(b)" fill="none" stroke="black"/>"#)
        if !panel.xLabel.isEmpty {
            out.append(#"<text x="\#(PlotFigure.number((left + right) / 2))" y="\#(PlotFigure.number(Double(height) - 8))" text-anchor="middle">\#(PlotFigure.escaped(panel.xLabel))</text>"#)
        }
        if !panel.yLabel.isEmpty {
            let middle = PlotFigure.number((top + bottom) / 2)
            out.append(#"<text x="14" y="\#(middle)" text-anchor="middle" transform="rotate(-90 14 \#(middle))">\#(PlotFigure.escaped(panel.yLabel))</text>"#)
        }
        var drawn: [(x: Double, y: Double)] = []
        for (i, series) in panel.series.enumerated() {
            let points = series.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { (x: xAxis.position($0.x, from: left, to: right), y: yAxis.position($0.y, from: bottom, to: top)) }
            drawn += points
            let line = points.map { "\(PlotFigure.number($0.x)),\(PlotFigure.number($0.y))" }.joined(separator: " ")
            out.append(#"<polyline class="series" data-series="\#(PlotFigure.escaped(series.name))" points="\#(line)" fill="none" stroke="\#(PlotFigure.colors[i % PlotFigure.colors.count])" stroke-width="1.8"/>"#)
        }
        out += legend(panel.series.map(\.name), area: (left, right, top, bottom), avoiding: drawn)
        return out
    }

    /// The legend: a framed box with one row per series, in the corner of the plotting area
    /// that covers the fewest drawn points (matplotlib's "best" location, simplified).
    private func legend(_ names: [String], area: (left: Double, right: Double, top: Double, bottom: Double),
                        avoiding points: [(x: Double, y: Double)]) -> [String] {
        guard !names.isEmpty else { return [] }
        // Text width estimated from the character count (about 6.2 px per character at 11 px).
        let width = 34 + Double(names.map(\.count).max()!) * 6.2, height = 8 + Double(names.count) * 16
        let inset = 8.0
        let corners = [(area.right - inset - width, area.top + inset), (area.right - inset - width, area.bottom - inset - height),
                       (area.left + inset, area.top + inset), (area.left + inset, area.bottom - inset - height)]
        let covered = corners.map { x, y in points.count { $0.x >= x && $0.x <= x + width && $0.y >= y && $0.y <= y + height } }
        let (x, y) = corners[covered.firstIndex(of: covered.min()!)!]
        var out = [#"<rect class="legend" x="\#(PlotFigure.number(x))" y="\#(PlotFigure.number(y))" width="\#(PlotFigure.number(width))" height="\#(PlotFigure.number(height))" fill="white" fill-opacity="0.85" stroke="rgb(200,200,200)"/>"#]
        for (i, name) in names.enumerated() {
            let rowY = PlotFigure.number(y + 12 + Double(i) * 16), color = PlotFigure.colors[i % PlotFigure.colors.count]
            out.append(#"<line x1="\#(PlotFigure.number(x + 6))" y1="\#(rowY)" x2="\#(PlotFigure.number(x + 26))" y2="\#(rowY)" stroke="\#(color)" stroke-width="1.8"/>"#)
            out.append(#"<text x="\#(PlotFigure.number(x + 32))" y="\#(rowY)" dominant-baseline="middle">\#(PlotFigure.escaped(name))</text>"#)
        }
        return out
    }

    /// A coordinate with two decimals.
    static func number(_ v: Double) -> String { String(format: "%.2f", v) }

    /// `text` safe inside an XML element or attribute.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension MetricsLog {
    /// The log as a figure: one panel per group of columns, each plotted against `x`. By
    /// default the columns whose names contain "loss" share a panel, those containing "acc"
    /// another, and any others a third.
    public func figure(panels: [[String]]? = nil, x: String = "epoch") -> PlotFigure {
        let values = columns.filter { $0 != "epoch" && $0 != "step" && $0 != x }
        let groups = panels ?? {
            let losses = values.filter { $0.lowercased().contains("loss") }
            let accuracies = values.filter { $0.lowercased().contains("acc") && !losses.contains($0) }
            return [losses, accuracies, values.filter { !losses.contains($0) && !accuracies.contains($0) }]
        }()
        return PlotFigure(panels: groups.filter { !$0.isEmpty }.map { names in
            var plot = LinePlot(title: names.count == 1 ? names[0] : names.joined(separator: ", "), xLabel: x)
            for name in names {
                let points = self.points(name, x: x)
                plot.add(name, x: points.map(\.x), y: points.map(\.y))
            }
            return plot
        })
    }

    /// Writes ``figure(panels:x:)`` as an SVG file at `url`, atomically.
    public func writePlot(to url: URL, panels: [[String]]? = nil, x: String = "epoch") throws {
        try figure(panels: panels, x: x).write(to: url)
    }
}
