import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``ProgressBar`` draws, and whether that is a terminal (a bar redraws its line in
/// place, which only a terminal shows well).
public struct ProgressOutput: Sendable {
    /// Whether the destination is a terminal.
    public let isTerminal: Bool
    let write: @Sendable (String) -> Void

    /// Standard error, as tqdm: it keeps the bar out of a program's piped output.
    public static var standardError: ProgressOutput {
        ProgressOutput(isTerminal: isatty(STDERR_FILENO) != 0) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Standard output, through `print`, so the bar and printed lines keep their order.
    public static var standardOutput: ProgressOutput {
        ProgressOutput(isTerminal: isatty(STDOUT_FILENO) != 0) { text in
            print(text, terminator: "")
            fflush(nil)  // all streams: the C `stdout` global is not concurrency-safe in Swift 6
        }
    }

    /// Any destination, for a log view or a test; `isTerminal` says whether to draw.
    public static func custom(isTerminal: Bool, _ write: @escaping @Sendable (String) -> Void) -> ProgressOutput {
        ProgressOutput(isTerminal: isTerminal, write: write)
    }
}

/// A progress bar on one line, tqdm's analogue: the count, the rate, the time left and
/// values such as the running loss, redrawn at most every `minInterval`.
///
/// ```text
/// epoch 3/30:  45%|█████████▌           | 9/20 [00:01<00:01, 8.21it/s, loss=0.1234]
/// ```
///
/// It draws only when its output is a terminal (or when `force` is set), so logs and CI
/// output stay clean. Wrap a sequence with ``progress(_:total:description:output:force:)->ProgressSequence<S>``,
/// or drive it by hand:
///
/// <!-- snippet: progress-bar -->
/// ```swift
/// let bar = ProgressBar(total: loader.count, description: "epoch 1")
/// for try await (inputs, targets) in loader {
///     optimizer.zeroGrad()
///     let loss = try lossFunction(model(inputs), targets)
///     try loss.backward()
///     try optimizer.step()
///     bar.recordLoss(try loss.item())
///     bar.update()
/// }
/// bar.close()
/// ```
public final class ProgressBar {
    /// Steps in a full pass, or nil when unknown (the bar then shows a count and a rate).
    public let total: Int?
    /// The label before the bar.
    public var description: String
    /// Steps done.
    public private(set) var count = 0
    /// Whether the bar draws at all (its output is a terminal, or it was forced).
    public let isActive: Bool
    /// The values shown after the rate, in order (`loss=0.1234`).
    public private(set) var postfix: [(name: String, value: String)] = []
    /// The mean of the losses given to ``recordLoss(_:)``, or nil before the first.
    public var runningLoss: Double? { lossCount == 0 ? nil : lossSum / Double(lossCount) }

    private let output: ProgressOutput
    private let minInterval: Duration
    private let elapsed: () -> Duration
    private var lastDraw: Duration?
    private var lossSum = 0.0, lossCount = 0
    private var closed = false
    private static let width = 20

    /// A bar over `total` steps labelled `description`, drawn on `output` (standard error)
    /// when it is a terminal or `force` is set. `clock` gives the time since the start (a
    /// test passes its own); the line is redrawn at most every `minInterval`.
    public init(total: Int? = nil, description: String = "", output: ProgressOutput = .standardError, force: Bool = false,
                minInterval: Duration = .milliseconds(100), clock: (() -> Duration)? = nil) {
        self.total = total.map { Swift.max($0, 0) }
        self.description = description
        self.output = output
        self.isActive = force || output.isTerminal
        self.minInterval = minInterval
        if let clock {
            elapsed = clock
        } else {
            let start = ContinuousClock.now
            elapsed = { ContinuousClock.now - start }
        }
    }

    deinit { close() }

    /// Counts `steps` more steps done and redraws if it is time.
    public func update(_ steps: Int = 1) {
        count += Swift.max(steps, 0)
        draw(force: total == count)
    }

    /// Shows `values` after the rate (tqdm's `set_postfix`), numbers to four significant digits.
    public func setPostfix(_ values: KeyValuePairs<String, Double>) {
        let loss = postfix.filter { $0.name == "loss" && lossCount > 0 }
        postfix = loss + values.map { (name: $0.key, value: ProgressBar.format($0.value)) }
    }

    /// Adds one step's loss to the running mean that the bar shows as `loss=`.
    public func recordLoss(_ loss: Double) {
        lossSum += loss
        lossCount += 1
        let shown = (name: "loss", value: ProgressBar.format(runningLoss!))
        if let i = postfix.firstIndex(where: { $0.name == "loss" }) { postfix[i] = shown } else { postfix.insert(shown, at: 0) }
    }

    /// Draws the final state and ends the line; later updates draw nothing. A bar that is
    /// released closes itself.
    public func close() {
        guard !closed else { return }
        draw(force: true)
        closed = true
        if isActive { output.write("\n") }
    }

    /// The bar's line as it would be drawn now (without the carriage return).
    public func line() -> String {
        let seconds = WorkloadRunner.seconds(elapsed())
        let rate = seconds > 0 ? Double(count) / seconds : nil
        let label = description.isEmpty ? "" : "\(description): "
        let extras = postfix.map { ", \($0.name)=\($0.value)" }.joined()
        guard let total, total > 0 else {
            return "\(label)\(count)it [\(ProgressBar.clockText(seconds)), \(ProgressBar.rateText(rate))\(extras)]"
        }
        let fraction = Swift.min(Double(count) / Double(total), 1)
        let remaining = rate.map { $0 > 0 ? ProgressBar.clockText(Double(Swift.max(total - count, 0)) / $0) : "?" } ?? "?"
        return "\(label)\(String(format: "%3d", Int(fraction * 100)))%|\(ProgressBar.bar(fraction))| \(count)/\(total) "
            + "[\(ProgressBar.clockText(seconds))<\(remaining), \(ProgressBar.rateText(rate))\(extras)]"
    }

    private func draw(force: Bool) {
        guard isActive, !closed else { return }
        let now = elapsed()
        if !force, let lastDraw, now - lastDraw < minInterval { return }
        lastDraw = now
        // Back to the line's start, the new line, then clear what a longer old line left.
        output.write("\r\(line())\u{1B}[K")
    }

    // MARK: Formatting, as tqdm's

    private static let eighths = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    static func bar(_ fraction: Double) -> String {
        let cells = fraction * Double(width)
        let full = Int(cells)
        guard full < width else { return String(repeating: "█", count: width) }
        let partial = eighths[Int((cells - Double(full)) * 8)]
        return String(repeating: "█", count: full) + partial + String(repeating: " ", count: width - full - 1)
    }

    static func clockText(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded(.down))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }

    static func rateText(_ rate: Double?) -> String {
        guard let rate, rate > 0, rate.isFinite else { return "?it/s" }
        return rate >= 1 ? String(format: "%.2fit/s", rate) : String(format: "%.2fs/it", 1 / rate)
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
