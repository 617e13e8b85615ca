import SwiftTorch
import Testing

// The SWIFTTORCH_* environment. Both readers are pure functions of their inputs, so these
// tests pass dictionaries and local backend lists and touch no process-wide state.

@Suite("DispatchSettings.fromEnvironment")
struct DispatchSettingsTests {
    @Test func anEmptyEnvironmentGivesTheDefaults() throws {
        let s = try DispatchSettings.fromEnvironment([:])
        #expect(s.backendRequest == nil)
        #expect(s.fallbackIsError == false)
        #expect(s.trace == .off)
        #expect(s.crossCheck == nil)
    }

    @Test func fallbackErrorTurnsFallThroughIntoAnError() throws {
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_FALLBACK": "error"]).fallbackIsError)
    }

    @Test func fallbackIsCaseInsensitive() throws {
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_FALLBACK": "ERROR"]).fallbackIsError)
    }

    @Test func emptyFallbackMeansFallThrough() throws {
        #expect(try !DispatchSettings.fromEnvironment(["SWIFTTORCH_FALLBACK": ""]).fallbackIsError)
    }

    @Test func bogusFallbackValueThrowsNamingTheVariableAndTheValidValue() throws {
        let error = #expect(throws: TorchError.self) { try DispatchSettings.fromEnvironment(["SWIFTTORCH_FALLBACK": "sometimes"]) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("SWIFTTORCH_FALLBACK") == true)
        #expect(error?.message.contains("'sometimes'") == true)
        #expect(error?.message.contains("error") == true)
    }

    @Test func traceAcceptsOneAndZero() throws {
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_TRACE": "1"]).trace == .calls)
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_TRACE": "0"]).trace == .off)
    }

    @Test func traceSummaryIsItsOwnMode() throws {
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_TRACE": "summary"]).trace == .summary)
        #expect(try DispatchSettings.fromEnvironment(["SWIFTTORCH_TRACE": "Summary"]).trace == .summary)
    }

    @Test func traceSpellingsOfEachMode() throws {
        for value in ["", "0", "false", "no", "off"] { #expect(try TraceMode(environment: value) == .off) }
        for value in ["1", "true", "yes", "calls", "CALLS"] { #expect(try TraceMode(environment: value) == .calls) }
        #expect(try TraceMode(environment: nil) == .off)
    }

    @Test func bogusTraceValueThrowsListingTheAcceptedValues() throws {
        let error = #expect(throws: TorchError.self) { try DispatchSettings.fromEnvironment(["SWIFTTORCH_TRACE": "loud"]) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("SWIFTTORCH_TRACE='loud'") == true)
        for accepted in ["1", "calls", "summary", "off"] { #expect(error?.message.contains(accepted) == true) }
    }

    @Test func backendRequestIsKeptVerbatimForLaterResolution() throws {
        let s = try DispatchSettings.fromEnvironment(["SWIFTTORCH_BACKEND": "openmp,reference"])
        #expect(s.backendRequest == "openmp,reference")
    }

    @Test func unrelatedVariablesAreIgnored() throws {
        let s = try DispatchSettings.fromEnvironment(["PATH": "/usr/bin", "SWIFTTORCH_UNKNOWN": "x"])
        #expect(s.fallbackIsError == false)
    }
}

/// A local backend list: two CPU backends, one that cannot run here, and a GPU one.
private let backends = [
    BackendDescriptor(name: "reference"),
    BackendDescriptor(name: "openmp"),
    BackendDescriptor(name: "blas", availability: .unavailable(reason: "libopenblas.so.0 not found")),
    BackendDescriptor(name: "cuda", deviceKind: .cuda(0), availability: .available),
]
private let known = ["reference", "openmp", "blas", "cuda"]
private let preferred = ["blas", "openmp", "reference"]

private func resolve(_ request: String?, _ list: [BackendDescriptor] = backends,
                     notice: (String) -> Void = { _ in }) throws -> BackendPriority {
    try BackendPriority.resolve(request, backends: list, knownNames: known, preferredCPUOrder: preferred, notice: notice)
}

@Suite("BackendPriority.resolve")
struct BackendPriorityTests {
    @Test func noRequestGivesEveryAvailableCPUBackendBestFirst() throws {
        let p = try resolve(nil)
        #expect(p.names == ["openmp", "reference"])
        #expect(p.defaultDevice == .cpu)
    }

    @Test func anEmptyRequestIsTheSameAsNone() throws {
        #expect(try resolve("").names == ["openmp", "reference"])
        #expect(try resolve(" , ").names == ["openmp", "reference"])
    }

    @Test func aSingleAvailableBackendIsUsedAlone() throws {
        #expect(try resolve("reference").names == ["reference"])
    }

    @Test func aListKeepsItsOrderAndIgnoresSpaces() throws {
        #expect(try resolve("reference, openmp").names == ["reference", "openmp"])
    }

    @Test func anUnknownNameIsAnErrorListingTheValidNames() throws {
        let error = #expect(throws: TorchError.self) { try resolve("metal") }
        #expect(error?.kind == .unknownBackend)
        let message = error?.message ?? ""
        #expect(message.contains("'metal'"))
        for name in known { #expect(message.contains(name)) }
    }

    @Test func anUnknownNameInsideAListIsAnError() throws {
        #expect(throws: TorchError.self) { try resolve("reference,metal") }
    }

    @Test func aSingleUnavailableBackendIsAnErrorWithTheReason() throws {
        let error = #expect(throws: TorchError.self) { try resolve("blas") }
        #expect(error?.kind == .backendUnavailable)
        #expect(error?.message.contains("blas") == true)
        #expect(error?.message.contains("libopenblas.so.0 not found") == true)
    }

    @Test func aKnownButUnbuiltBackendIsUnavailable() throws {
        let error = #expect(throws: TorchError.self) { try resolve("cuda", Array(backends.prefix(2))) }
        #expect(error?.kind == .backendUnavailable)
        #expect(error?.message.contains("cuda") == true)
    }

    @Test func anUnavailableBackendInAListIsDroppedWithANotice() throws {
        var notices: [String] = []
        let p = try resolve("blas,openmp") { notices.append($0) }
        #expect(p.names == ["openmp"])
        #expect(notices.count == 1)
        #expect(notices.first?.contains("blas") == true)
        #expect(notices.first?.contains("libopenblas.so.0 not found") == true)
    }

    @Test func aListWithNoAvailableBackendIsAnError() throws {
        let list = [BackendDescriptor(name: "reference", availability: .unavailable(reason: "r")),
                     BackendDescriptor(name: "openmp", availability: .unavailable(reason: "o"))]
        let error = #expect(throws: TorchError.self) { try resolve("openmp,reference", list) }
        #expect(error?.kind == .backendUnavailable)
    }

    @Test func aGPUBackendFirstMakesItsDeviceTheDefault() throws {
        let p = try resolve("cuda,reference")
        #expect(p.names == ["cuda", "reference"])
        #expect(p.defaultDevice == .cuda(0))
    }

    @Test func theDefaultChainLeavesOutGPUBackends() throws {
        let list = [BackendDescriptor(name: "cuda", deviceKind: .cuda(0)), BackendDescriptor(name: "reference")]
        let p = try BackendPriority.resolve(nil, backends: list, knownNames: known,
                                            preferredCPUOrder: ["cuda", "reference"])
        #expect(p.names == ["reference"])
    }

    @Test func descriptionIsTheCommaSeparatedList() {
        #expect(BackendPriority(names: ["openmp", "reference"]).description == "openmp,reference")
    }
}
