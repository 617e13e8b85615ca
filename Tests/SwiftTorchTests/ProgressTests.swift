import Foundation
import Synchronization
import SwiftTorch
import Testing

// The progress bar: its line (count, rate, time left, running loss) drawn on a fake clock,
// silence off a terminal, and the wrappers around sequences and asynchronous sequences.

/// What a bar wrote, collected for inspection.
private final class Captured: Sendable {
    private let text = Mutex("")
    var output: ProgressOutput { .custom(isTerminal: true) { s in self.text.withLock { $0 += s } } }
    var quiet: ProgressOutput { .custom(isTerminal: false) { s in self.text.withLock { $0 += s } } }
    var all: String { text.withLock { $0 } }
    /// The lines drawn, each redraw (after a carriage return) one entry, without the clear code.
    var draws: [String] {
        all.split(separator: "\r").map { $0.replacingOccurrences(of: "\u{1B}[K", with: "").trimmingCharacters(in: .newlines) }
    }
}

/// A clock the test moves by hand.
private final class FakeClock {
    var now = Duration.zero
    var read: () -> Duration { { self.now } }
}

/// An asynchronous sequence of 0..<count that throws `failure` instead of element `failAt`.
private struct Numbers: AsyncSequence {
    typealias Element = Int
    let count: Int
    var failAt: Int? = nil

    struct AsyncIterator: AsyncIteratorProtocol {
        let count: Int, failAt: Int?
        var i = 0
        mutating func next() async throws -> Int? {
            defer { i += 1 }
            if i == failAt { throw TorchError(.io, "sample \(i) is corrupt") }
            return i < count ? i : nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: count, failAt: failAt) }
}

@Suite("Progress bar")
struct ProgressTests {
    @Test func theLineShowsCountRateTimeLeftAndRunningLoss() throws {
        let clock = FakeClock(), captured = Captured()
        let bar = ProgressBar(total: 20, description: "epoch 1", output: captured.output, minInterval: .zero, clock: clock.read)
        clock.now = .seconds(2)
        bar.recordLoss(0.5)
        bar.recordLoss(0.25)
        bar.update(8)
        #expect(bar.line() == "epoch 1:  40%|████████            | 8/20 [00:02<00:03, 4.00it/s, loss=0.375]")
        #expect(captured.draws.last == bar.line())
        #expect(bar.runningLoss == 0.375)
    }

    @Test func partialCellsAndSlowRatesReadAsTqdmsDo() throws {
        let clock = FakeClock()
        let bar = ProgressBar(total: 8, output: .custom(isTerminal: true) { _ in }, clock: clock.read)
        clock.now = .seconds(10)
        bar.update(3)
        bar.setPostfix(["acc": 0.91234])
        #expect(bar.line() == " 37%|███████▌            | 3/8 [00:10<00:16, 3.33s/it, acc=0.9123]")
    }

    @Test func anUnknownTotalShowsTheCountAndRate() throws {
        let clock = FakeClock()
        let bar = ProgressBar(output: .custom(isTerminal: true) { _ in }, clock: clock.read)
        #expect(bar.line() == "0it [00:00, ?it/s]")
        clock.now = .seconds(3725)
        bar.update(7450)
        #expect(bar.line() == "7450it [1:02:05, 2.00it/s]")
    }

    @Test func redrawsAreThrottledButTheLastStepAlwaysDraws() throws {
        let clock = FakeClock(), captured = Captured()
        let bar = ProgressBar(total: 3, output: captured.output, minInterval: .seconds(1), clock: clock.read)
        bar.update()  // first draw
        clock.now = .milliseconds(500)
        bar.update()  // too soon
        bar.update()  // the last step
        #expect(captured.draws.count == 2)
        #expect(captured.draws.last?.contains("3/3") == true)
    }

    @Test func silentWhenTheOutputIsNotATerminalUnlessForced() throws {
        let captured = Captured()
        let quiet = ProgressBar(total: 2, output: captured.quiet)
        quiet.update(2)
        quiet.close()
        #expect(!quiet.isActive)
        #expect(captured.all.isEmpty)
        let forced = ProgressBar(total: 2, output: captured.quiet, force: true)
        forced.update(2)
        forced.close()
        #expect(captured.all.contains("100%|████████████████████| 2/2 "))
        #expect(captured.all.hasSuffix("]\u{1B}[K\n"))
    }

    @Test func closingEndsTheLineOnceAndStopsDrawing() throws {
        let captured = Captured()
        let bar = ProgressBar(total: 5, output: captured.output)
        bar.update()
        bar.close()
        bar.close()
        bar.update()
        #expect(captured.all.filter { $0 == "\n" }.count == 1)
        #expect(captured.draws.last?.contains("1/5") == true)
    }

    @Test func wrappingASequenceCountsEachElementAndCloses() throws {
        let captured = Captured()
        let items = progress([10, 20, 30], description: "items", output: captured.output)
        #expect(items.bar.total == 3)
        var seen: [Int] = []
        for x in items {
            #expect(items.bar.count == seen.count)
            seen.append(x)
        }
        #expect(seen == [10, 20, 30])
        #expect(items.bar.count == 3)
        #expect(captured.all.hasSuffix("\n"))
    }

    @Test func aDataLoaderGivesItsBatchCountAsTheTotal() throws {
        let data = try TensorDataset(try Tensor.zeros([10, 2]), try Tensor.zeros([10]))
        let loader = DataLoader(data, batchSize: 4)
        #expect(progress(loader, output: .custom(isTerminal: false) { _ in }).bar.total == 3)
    }

    @Test func wrappingAnAsyncSequenceCountsAndPassesErrorsThrough() async throws {
        let captured = Captured()
        let numbers = progress(Numbers(count: 4), total: 4, output: captured.output)
        var sum = 0
        for try await n in numbers { sum += n }
        #expect(sum == 6)
        #expect(numbers.bar.count == 4)

        let failing = progress(Numbers(count: 4, failAt: 2), output: captured.output)
        var reached: [Int] = []
        await #expect(throws: TorchError.self) {
            for try await n in failing { reached.append(n) }
        }
        #expect(reached == [0, 1])
        #expect(failing.bar.total == nil)
    }
}
