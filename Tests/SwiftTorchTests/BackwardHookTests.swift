import Testing
import SwiftTorch

/// The post-accumulate-grad hook and the end-of-backward callback (what distributed data
/// parallelism builds on).
@Suite struct BackwardHookTests {
    @Test func hookRunsOnceAfterTheLeafsWholeGradient() throws {
        let w = try Tensor([1.0, 2.0]).requiringGrad()
        var seen: [[Double]] = []
        try w.registerPostAccumulateGradHook { seen.append($0.grad!.doubleValues()) }
        // w is used twice: the hook sees the sum of both contributions, once.
        try (w * 3 + w * w).sum().backward()
        #expect(seen == [[5, 7]])
        try (w * 2).sum().backward()
        #expect(seen == [[5, 7], [7, 9]])
    }

    @Test func hookOnARootLeafAndRemoval() throws {
        let w = try Tensor(2.0).requiringGrad()
        var calls = 0
        let handle = try w.registerPostAccumulateGradHook { _ in calls += 1 }
        try w.backward()
        #expect(calls == 1)
        handle.remove()
        try w.backward()
        #expect(calls == 1)
    }

    @Test func callbackRunsAfterEveryGradientAndErrorsReachBackward() throws {
        let a = try Tensor([1.0]).requiringGrad(), b = try Tensor([2.0]).requiringGrad()
        var gradsAtCallback: [Double?] = []
        try a.registerPostAccumulateGradHook { _ in
            try queueBackwardCallback { gradsAtCallback = [try a.grad?.item(), try b.grad?.item()] }
        }
        try (a * b).sum().backward()
        #expect(gradsAtCallback == [2, 1])
        #expect(throws: TorchError.self) { try queueBackwardCallback {} }
        struct Stop: Error {}
        try a.registerPostAccumulateGradHook { _ in throw Stop() }
        #expect(throws: Stop.self) { try (a * b).sum().backward() }
    }

    @Test func onlyLeavesThatRequireGradTakeHooks() throws {
        let w = try Tensor([1.0]).requiringGrad()
        #expect(throws: TorchError.self) { try (w * 2).registerPostAccumulateGradHook { _ in } }
        #expect(throws: TorchError.self) { try Tensor([1.0]).registerPostAccumulateGradHook { _ in } }
    }

    @Test func aHookAddedDuringAPassRunsFromTheNextPass() throws {
        let a = try Tensor([1.0]).requiringGrad(), b = try Tensor([2.0]).requiringGrad()
        var bCalls = 0
        var added = false
        try a.registerPostAccumulateGradHook { _ in
            guard !added else { return }
            added = true
            try b.registerPostAccumulateGradHook { _ in bCalls += 1 }
        }
        try (a * b).sum().backward()
        #expect(bCalls == 0 && b.grad?.doubleValues() == [1])
        try (a * b).sum().backward()
        #expect(bCalls == 1 && b.grad?.doubleValues() == [2])
    }
}
