import SwiftTorchCore

/// A call that broke the contract without ending the process, with what replays it.
public struct FuzzFailure: Sendable, CustomStringConvertible {
    /// The run's seed.
    public let seed: UInt64
    /// The call's number in the run.
    public let index: Int
    /// The operator and its arguments.
    public let call: String
    /// What went wrong.
    public let problem: String
    /// The command that runs this call again.
    public let replay: String

    /// The call, the problem and the replay command, on three lines.
    public var description: String { "seed \(seed) index \(index): \(call)\n    \(problem)\n    replay: \(replay)" }
}

/// The tally of a fuzz run: how many calls succeeded, threw (by kind), or failed, and which
/// operators never got past their argument checks (a sign the fuzzer's values are too
/// hostile for them to be exercised).
public struct FuzzReport: Sendable {
    /// The run's seed.
    public let seed: UInt64
    /// The backend fuzzed.
    public let backend: String
    /// Calls made.
    public private(set) var calls = 0
    /// Calls that returned sound outputs.
    public private(set) var succeeded = 0
    /// Calls that threw an acceptable ``TorchError``.
    public private(set) var threw = 0
    /// Calls that broke the contract.
    public private(set) var failures: [FuzzFailure] = []
    /// Thrown errors counted by their kind.
    public private(set) var errorKinds: [String: Int] = [:]
    /// Successful calls per operator (operators that were called and never succeeded have 0).
    public private(set) var successesByOperator: [String: Int] = [:]

    /// An empty tally for run `seed` on `backend`.
    public init(seed: UInt64, backend: String) {
        self.seed = seed
        self.backend = backend
    }

    mutating func record(_ call: FuzzCall, _ outcome: FuzzOutcome) {
        calls += 1
        successesByOperator[call.op, default: 0] += 0
        switch outcome {
        case .succeeded:
            succeeded += 1
            successesByOperator[call.op, default: 0] += 1
        case .threw(let error):
            threw += 1
            errorKinds[error.kind.rawValue, default: 0] += 1
        case .failed(let problem):
            failures.append(FuzzFailure(seed: call.seed, index: call.index, call: call.summary, problem: problem, replay: call.replay))
        }
    }

    mutating func record(planFailure problem: String, seed: UInt64, index: Int, backend: String) {
        calls += 1
        failures.append(FuzzFailure(seed: seed, index: index, call: "(arguments could not be made)", problem: problem,
                                    replay: "swifttorch fuzz --seed \(seed) --index \(index) --backend \(backend)"))
    }

    /// Adds another run's tally (another seed or backend) to this one.
    public mutating func merge(_ other: FuzzReport) {
        calls += other.calls
        succeeded += other.succeeded
        threw += other.threw
        failures += other.failures
        errorKinds.merge(other.errorKinds, uniquingKeysWith: +)
        successesByOperator.merge(other.successesByOperator, uniquingKeysWith: +)
    }

    /// Operators called at least once that never succeeded.
    public var neverSucceeded: [String] { successesByOperator.filter { $0.value == 0 }.keys.sorted() }

    /// The failures, then the counts, as `swifttorch fuzz` prints them.
    public func render() -> String {
        var lines = failures.map { "FAIL \($0)" }
        let kinds = errorKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("fuzz \(backend): \(calls) calls, \(succeeded) succeeded, \(threw) threw a TorchError (\(kinds.isEmpty ? "none" : kinds)), \(failures.count) failed")
        if !neverSucceeded.isEmpty { lines.append("never succeeded: \(neverSucceeded.joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
