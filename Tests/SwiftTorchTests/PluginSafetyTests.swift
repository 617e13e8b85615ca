import CSwiftTorchABI
import Foundation
import Testing
@testable import SwiftTorch
import SwiftTorchCore

// A plugin that misuses the host API gets an error, never a crash, and never replaces what
// it did not register without the user's opt-in. The misuses are builds of
// Tests/Fixtures/Plugins/fixture_hostile.c, one per HOSTILE_CASE.

/// One misuse: its HOSTILE_CASE number and a fragment the refusal must contain.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let number: Int
    let what: String
    let expected: String

    var testDescription: String { what }

    /// The fixture built for this case.
    func build() throws -> String {
        try PluginFixtures.build("fixture_hostile", variant: "\(number)", defines: ["HOSTILE_CASE=\(number)"])
    }

    static let refused: [HostileCase] = [
        HostileCase(number: 1, what: "allocate(SIZE_MAX)", expected: "it asked for 18446744073709551615 bytes, more than any machine can address"),
        HostileCase(number: 2, what: "allocate(1 << 62)", expected: "4611686018427387904 bytes"),
        HostileCase(number: 10, what: "allocate on an unknown device", expected: "allocate: unknown device {type 7, index 0}"),
        HostileCase(number: 3, what: "a NULL host_context", expected: "register_backend: host_context is NULL"),
        HostileCase(number: 4, what: "a stray host_context", expected: "is not one this SwiftTorch handed out"),
        HostileCase(number: 5, what: "st_backend.struct_size 0", expected: "whose struct_size is 0, but ABI 1.0's st_backend is \(MemoryLayout<st_backend>.size) bytes"),
        HostileCase(number: 6, what: "a larger st_backend from ABI 1.0", expected: "whose struct_size is \(MemoryLayout<st_backend>.size + 32)"),
        HostileCase(number: 8, what: "a kernel for reference's neg", expected: "plugin 'hostile' registers a kernel for 'neg' on backend 'reference', which it did not register"),
        HostileCase(number: 9, what: "a backend named openmp", expected: "plugin 'hostile' registers backend 'openmp', which it did not register"),
    ]
}

/// A registry with the process's operators and backends but none of its kernels: what a
/// plugin is allowed to replace there cannot disturb other tests.
private func isolatedRegistry() -> OperatorRegistry {
    let registry = OperatorRegistry()
    for op in Runtime.registry.operators { registry.declare(op.definition) }
    for backend in Runtime.registry.backends { registry.register(backend: backend) }
    return registry
}

/// Runs the `swifttorch` executable built beside the tests, in `folder`, with `environment`
/// added to this process's; returns its exit status and its output (standard error included).
private func runCLI(_ arguments: [String], in folder: URL, environment: [String: String]) throws -> (status: Int32, output: String) {
    let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swifttorch")
    let (status, output) = try runSubprocess(tool, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                             in: folder, mergingStandardOutput: true)
    return (status, output)
}

@Suite("Plugin safety", .serialized)
struct PluginSafetyTests {
    @Test func aRelativePathIsResolvedAgainstTheCurrentFolder() {
        #expect(PluginLoader.absolutePath("libswifttorch_x.so", currentFolder: "/work/app") == "/work/app/libswifttorch_x.so")
        #expect(PluginLoader.absolutePath("../lib/libswifttorch_x.so", currentFolder: "/work/app") == "/work/lib/libswifttorch_x.so")
        #expect(PluginLoader.absolutePath("/opt/libswifttorch_x.so", currentFolder: "/work/app") == "/opt/libswifttorch_x.so")
    }

    @Test func aBarePluginNameLoadsTheFileDiscoveryCheckedNotOneOnTheLinkerPath() throws {
        // dlopen("libswifttorch_fixture_add.so") would search the linker's path, not this folder.
        let folder = PluginFixtures.folder.appendingPathComponent("bare-name-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = "libswifttorch_fixture_add.so"
        try FileManager.default.copyItem(atPath: try PluginFixtures.build("fixture_add"), toPath: folder.appendingPathComponent(file).path)
        let (status, output) = try runCLI(["info"], in: folder, environment: ["SWIFTTORCH_PLUGIN_PATH": file])
        #expect(status == 0)
        #expect(output.contains("fixture (\(folder.path)/\(file)): loaded; backends: fixture"), "\(output)")
    }

    @Test(arguments: HostileCase.refused)
    func aMisuseOfTheHostAPIIsRefusedWithItsReason(_ hostile: HostileCase) throws {
        let before = Runtime.registry.operator(named: "neg")!.kernels.count
        let record = PluginLoader.load(path: try hostile.build())
        guard case .initializationFailed(let reason) = record.status else {
            Issue.record("expected a refusal, got \(record.status.summary)")
            return
        }
        #expect(reason.contains(hostile.expected), "\(reason)")
        // Nothing of it was kept: no backend of its own, the built-in ones and their kernels as they were.
        #expect(Runtime.registry.backendDescriptor(named: "hostile") == nil)
        #expect(Runtime.registry.backendDescriptor(named: "openmp")?.details.isEmpty == false)
        #expect(Runtime.registry.operator(named: "neg")!.kernels.count == before)
    }

    @Test func thePluginLoadedAgainRegistersItsOwnBackendAnew() throws {
        // .ci/run builds the CUDA plugin beside the tests, so the process loads it at start-up
        // and a test that loads the file again must not be told the backend is someone else's.
        let registry = isolatedRegistry()
        let path = try PluginFixtures.build("fixture_add")
        let (_, first) = PluginLoader.open(path, registry: registry, overrides: .none)
        let (_, second) = PluginLoader.open(path, registry: registry, overrides: .none)
        guard case .loaded(let backends, _, let overrides) = second else { Issue.record("\(second)"); return }
        #expect(first == second)
        #expect(backends == ["fixture"])
        #expect(overrides.isEmpty)
    }

    @Test func aLargerBackendStructFromALaterMinorVersionIsAccepted() throws {
        let registry = isolatedRegistry()
        let path = try HostileCase(number: 7, what: "", expected: "").build()
        let (name, status) = PluginLoader.open(path, registry: registry, overrides: .none)
        #expect(name == "hostile")
        #expect(status == .loaded(backends: ["hostile"], kernels: []))
    }

    @Test func replacingAReferenceKernelNeedsTheUsersOptIn() throws {
        let path = try HostileCase(number: 8, what: "", expected: "").build()
        let registry = isolatedRegistry()
        let (_, refused) = PluginLoader.open(path, registry: registry, overrides: .none)
        guard case .initializationFailed(let reason) = refused else { Issue.record("\(refused)"); return }
        #expect(reason.contains("set SWIFTTORCH_PLUGIN_OVERRIDE=hostile"))
        #expect(registry.operator(named: "neg")!.kernels.isEmpty)

        let allowed = PluginOverridePolicy.fromEnvironment(["SWIFTTORCH_PLUGIN_OVERRIDE": "other, hostile"])
        let (_, status) = PluginLoader.open(path, registry: registry, overrides: allowed)
        #expect(status == .loaded(backends: ["hostile"], kernels: ["neg (float64)"], overrides: ["reference: neg (float64)"]))
        #expect(status.summary.hasSuffix("REPLACES what it did not register (allowed by SWIFTTORCH_PLUGIN_OVERRIDE): reference: neg (float64)"))
        #expect(registry.operator(named: "neg")!.kernels.map(\.backend) == ["reference"])
        #expect(registry.operator(named: "neg")!.kernel(backend: "reference", dtype: .float32) == nil)
        #expect(registry.operator(named: "neg")!.kernel(backend: "reference", dtype: .float64) != nil)
    }

    @Test func replacingABuiltInBackendNeedsTheUsersOptIn() throws {
        let path = try HostileCase(number: 9, what: "", expected: "").build()
        let registry = isolatedRegistry()
        let allowed = PluginOverridePolicy(allowedPlugins: ["hostile"])
        let (_, status) = PluginLoader.open(path, registry: registry, overrides: allowed)
        #expect(status == .loaded(backends: ["openmp"], kernels: [], overrides: ["backend openmp"]))
        #expect(registry.backendDescriptor(named: "openmp")?.details.isEmpty == true)
    }

    @Test func swifttorchInfoReportsAnAllowedReplacementAndARefusedOne() throws {
        let path = try HostileCase(number: 8, what: "", expected: "").build()
        let folder = PluginFixtures.folder
        let (allowedStatus, allowed) = try runCLI(["info"], in: folder, environment: [
            "SWIFTTORCH_PLUGIN_PATH": path, "SWIFTTORCH_PLUGIN_OVERRIDE": "hostile"])
        #expect(allowedStatus == 0)
        #expect(allowed.contains("  SWIFTTORCH_PLUGIN_OVERRIDE=hostile: these plugins may replace kernels and backends they did not register"))
        #expect(allowed.contains("hostile (\(path)): loaded; backends: hostile; 1 kernels: neg (float64); "
            + "REPLACES what it did not register (allowed by SWIFTTORCH_PLUGIN_OVERRIDE): reference: neg (float64)"), "\(allowed)")
        let (refusedStatus, refused) = try runCLI(["info"], in: folder, environment: ["SWIFTTORCH_PLUGIN_PATH": path])
        #expect(refusedStatus == 0)
        #expect(refused.contains("hostile (\(path)): initialisation failed: plugin 'hostile' registers a kernel for 'neg' on backend 'reference'"), "\(refused)")
    }
}
