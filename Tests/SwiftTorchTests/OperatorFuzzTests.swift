@testable import SwiftTorch
import Testing

// The schema-aware operator fuzzer (Sources/SwiftTorch/Fuzz) in CI: a fixed budget of seeds
// and calls per CPU backend. A call that crashes ends this test process, and the last
// `swifttorch fuzz --verbose` line for the same seed names it; `--seed S --index I`
// replays it alone. Longer runs: `swifttorch fuzz --seed 1 --seeds 10 --count 1500`.

/// Seeds and calls per seed: every operator is called about fourteen times per backend.
private let budget = (seeds: [UInt64(1), 2, 3, 4], calls: 400)

@Suite("Operator fuzzing: every call succeeds with sound outputs or throws a TorchError")
struct OperatorFuzzTests {
    @Test("a fixed budget of fuzz calls on each CPU backend breaks no contract", arguments: ["reference", "openmp", "blas"])
    func fixedBudgetHoldsTheContract(backend: String) throws {
        var total = FuzzReport(seed: budget.seeds[0], backend: backend)
        for seed in budget.seeds {
            total.merge(try OperatorFuzzer(seed: seed, backend: backend).run(0..<budget.calls))
        }
        #expect(total.calls == budget.seeds.count * budget.calls)
        #expect(total.failures.isEmpty, "\(total.render())")
        // The fuzzer must reach kernels, not only argument checks: a large share succeeds.
        #expect(total.succeeded * 2 > total.calls, "\(total.render())")
    }

    @Test("within one registry's length of calls, every registered operator is called")
    func everyOperatorIsCalled() throws {
        let fuzzer = try OperatorFuzzer(seed: 7, backend: "reference")
        var called: Set<String> = []
        for index in 0..<fuzzer.operators.count { called.insert(try fuzzer.plan(index).op) }
        #expect(called == Set(Runtime.registry.operators.map(\.name)))
    }

    @Test("the same seed and index give the same call; another seed gives other calls")
    func callsAreDeterministic() throws {
        let first = try OperatorFuzzer(seed: 11, backend: "openmp"), again = try OperatorFuzzer(seed: 11, backend: "openmp")
        let other = try OperatorFuzzer(seed: 12, backend: "openmp")
        let indices = Array(0..<40)
        let summaries = try indices.map { try first.plan($0).summary }
        #expect(try indices.map { try again.plan($0).summary } == summaries)
        #expect(try indices.map { try other.plan($0).summary } != summaries)
    }

    @Test("replaying one index gives the call that a batch ran at that index")
    func oneIndexReplaysTheBatchCall() throws {
        let fuzzer = try OperatorFuzzer(seed: 3, backend: "reference")
        var batch: [Int: String] = [:]
        _ = fuzzer.run(0..<60, before: { batch[$0.index] = $0.summary })
        for index in [0, 17, 59] {
            #expect(try fuzzer.plan(index).summary == batch[index])
        }
    }

    @Test("the random source is SplitMix64, so a seed means the same calls on every platform")
    func randomSourceIsSplitMix64() {
        // The published first outputs of SplitMix64 from state 0.
        var rng = FuzzRandom(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("an operator name that is not registered is an error, and so is skipping every operator")
    func unknownOperatorsAreRejected() throws {
        #expect(throws: TorchError.self) { try OperatorFuzzer(seed: 1, only: ["no_such_op"]) }
        #expect(throws: TorchError.self) { try OperatorFuzzer(seed: 1, only: ["add"], skipping: ["add"]) }
    }
}
