import Foundation

/// One line chart: named series of points on shared axes, as matplotlib's
/// `plt.plot(xs, ys, label=...)`. Panels of a ``PlotFigure`` are line plots.
///
/// <!-- snippet: line-plot -->
/// ```swift
/// var plot = LinePlot(title: "loss", xLabel: "epoch")
/// plot.add("train", x: [1, 2, 3], y: [0.9, 0.5, 0.3])
/// try PlotFigure(panels: [plot]).write(to: folder.appendingPathComponent("loss.svg"))
/// ```
public struct LinePlot: Sendable {
    /// A named line.
    public struct Series: Sendable {
        /// The name shown in the legend.
        public var name: String
        /// The points in drawing order; non-finite ones are left out of the line.
        public var points: [Point]
    }

    /// A point of a series.
    public struct Point: Sendable, Equatable {
        /// The horizontal value (an epoch, a step).
        public var x: Double
        /// The vertical value (a loss, an accuracy).
        public var y: Double
    }

    /// The title above the chart.
    public var title: String
    /// The label under the x axis.
    public var xLabel: String
    /// The label beside the y axis.
    public var yLabel: String
    /// The lines, drawn in order with matplotlib's default colours.
    public var series: [Series] = []

    /// An empty chart with the given labels.
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Adds a line through `(x[i], y[i])`; extra values of the longer array are ignored.
    public mutating func add(_ name: String, x: [Double], y: [Double]) {
        series.append(Series(name: name, points: zip(x, y).map { Point(x: $0, y: $1) }))
    }

    /// Adds a line through `y` at x = 1, 2, 3, ... (epochs counted from 1).
    public mutating func add(_ name: String, _ y: [Double]) {
        add(name, x: y.indices.map { Double($0 + 1) }, y: y)
    }

    /// The finite points of every series, which set the axes' ranges.
    var finitePoints: [Point] { series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite } }
}

/// An axis: its range, rounded out to whole tick steps, and its ticks.
struct PlotAxis {
    let low: Double
    let high: Double
    let ticks: [Double]
    let decimals: Int

    /// An axis covering `values` with about `count` ticks at 1, 2 or 5 times a power of ten.
    init(covering values: [Double], count: Int = 5) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high {
            // One value: a unit-wide range around it, so it sits mid-axis.
            let pad = low == 0 ? 1 : Swift.abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / Double(count)
        let magnitude = Foundation.pow(10, (Foundation.log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = (low / step).rounded(.down) * step, last = (high / step).rounded(.up) * step
        (self.low, self.high) = (first, last)
        ticks = (0...Int(((last - first) / step).rounded())).map { first + Double($0) * step }
        decimals = Swift.max(0, -Int(Foundation.log10(step).rounded(.down)))
    }

    /// `value`'s place along an axis drawn from `start` to `end`.
    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - low) / (high - low) * (end - start)
    }

    /// A tick's label, with as many decimals as the step needs.
    func label(_ tick: Double) -> String { String(format: "%.\(decimals)f", tick) }
}
