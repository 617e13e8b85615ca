import Foundation
import Testing
@testable import SwiftTorch
import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#endif

// Backend plugins: fixtures in Tests/Fixtures/Plugins are compiled with `cc` at test time
// and loaded into the process's registry, as `swifttorch` loads plugins it discovers. The
// CUDA plugin is built with its own script; on a machine without a GPU driver it must load
// as an unavailable backend that says what it searched.

/// Compiles the fixtures once per test run into a private folder.
enum PluginFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-plugins-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Builds `Tests/Fixtures/Plugins/<name>.c` into `libswifttorch_<name>.so` and returns its
    /// path; with `variant`, into `libswifttorch_<name>_<variant>.so`, with `defines` (`-D`).
    static func build(_ name: String, variant: String? = nil, defines: [String] = []) throws -> String {
        let output = folder.appendingPathComponent("libswifttorch_\(name)\(variant.map { "_" + $0 } ?? "").so").path
        if FileManager.default.fileExists(atPath: output) { return output }
        let source = root.appendingPathComponent("Tests/Fixtures/Plugins/\(name).c").path
        let include = root.appendingPathComponent("Sources/CSwiftTorchABI/include").path
        try run("/usr/bin/env", ["cc", "-std=c11", "-shared", "-fPIC", "-I", include] + defines.map { "-D" + $0 } + ["-o", output, source])
        return output
    }

    /// Builds the CUDA plugin with Backends/CUDA/build.sh.
    static func buildCUDA() throws -> String {
        let output = folder.appendingPathComponent("cuda")
        try run("/bin/sh", [root.appendingPathComponent("Backends/CUDA/build.sh").path, output.path])
        return output.appendingPathComponent("libswifttorch_cuda.so").path
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let (status, message) = try runSubprocess(URL(fileURLWithPath: tool), arguments)
        if status != 0 {
            throw TorchError(.plugin, "\(tool) \(arguments.joined(separator: " ")) failed: \(message)")
        }
    }
}

@Suite("Plugins", .serialized)
struct PluginTests {
    @Test func aPluginKernelRunsThroughTheDispatcher() throws {
        let path = try PluginFixtures.build("fixture_add")
        let record = PluginLoader.load(path: path)
        #expect(record.status == .loaded(backends: ["fixture"], kernels: ["add (float32)"]))
        #expect(record.name == "fixture")

        let calls = try #require(dlsym(dlopen(path, RTLD_NOW | RTLD_NOLOAD), "fixture_add_calls"))
            .assumingMemoryBound(to: Int.self)
        let before = calls.pointee
        let a = try Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        let b = try Tensor([10.0, 20.0, 30.0])
        // Broadcasting, a scalar argument (alpha) and a transposed (strided) operand.
        let sum = try Runtime.withBackend("fixture") { try a.add(b, alpha: 2) }
        #expect(try sum.toArray(of: Double.self) == [21, 42, 63, 24, 45, 66])
        let transposed = try Runtime.withBackend("fixture") { try a.transpose(0, 1) + a.transpose(0, 1) }
        #expect(try transposed.toArray(of: Double.self) == [2, 8, 4, 10, 6, 12])
        #expect(calls.pointee == before + 2)
    }

    @Test func otherDTypesFallThroughToTheCPUBackends() throws {
        let path = try PluginFixtures.build("fixture_add")
        PluginLoader.load(path: path)
        let x = try Tensor([1, 2, 3], dtype: .int64)
        let sum = try Runtime.withBackend("fixture") { try x + x }
        #expect(try sum.toArray(of: Int.self) == [2, 4, 6])
    }

    @Test func loadingTheSameFileTwiceReturnsTheFirstResult() throws {
        let path = try PluginFixtures.build("fixture_add")
        let first = PluginLoader.load(path: path)
        let second = PluginLoader.load(path: path)
        #expect(first == second)
        #expect(Runtime.registry.operator(named: "add")!.kernels.filter { $0.backend == "fixture" }.count == 1)
    }

    @Test func aPluginBuiltForAnotherABIVersionIsRefused() throws {
        let record = PluginLoader.load(path: try PluginFixtures.build("fixture_abi_mismatch"))
        #expect(record.status == .abiMismatch(plugin: "2.0", host: "1.0"))
        #expect(record.status.summary.contains("ABI version mismatch"))
        #expect(Runtime.registry.backendDescriptor(named: "future") == nil)
    }

    @Test func aFailedInitialisationIsReportedAndLeavesNothingBehind() throws {
        let record = PluginLoader.load(path: try PluginFixtures.build("fixture_init_fails"))
        #expect(record.status == .initializationFailed("fixture: the accelerator is on fire"))
        #expect(record.name == "halfway")
        #expect(Runtime.registry.backendDescriptor(named: "halfway") == nil)
    }

    @Test func aMissingFileIsNotFoundWithThePathTried() {
        let path = "/nonexistent/libswifttorch_nothing.so"
        let record = PluginLoader.load(path: path)
        #expect(record.status == .notFound(tried: [path]))
    }

    @Test func aFileThatIsNotALibraryReportsDlerror() throws {
        let path = PluginFixtures.folder.appendingPathComponent("libswifttorch_garbage.so").path
        try Data("not an ELF file".utf8).write(to: URL(fileURLWithPath: path))
        let record = PluginLoader.load(path: path)
        guard case .dlopenFailed(let message) = record.status else {
            Issue.record("expected dlopen to fail, got \(record.status)")
            return
        }
        #expect(message.contains(path))
    }

    @Test func discoveryReadsThePluginPathThenTheExecutableFolder() throws {
        let path = try PluginFixtures.build("fixture_add")
        let missing = "/nonexistent/libswifttorch_gone.so"
        let search = PluginDiscovery.search(environment: ["SWIFTTORCH_PLUGIN_PATH": PluginFixtures.folder.path + ":" + missing])
        #expect(search.files.contains { $0.name == "fixture_add" && $0.path.hasSuffix((path as NSString).lastPathComponent) })
        #expect(search.missing.contains { $0.path == missing && $0.status == .notFound(tried: [missing]) })
        // The expected CUDA plugin, wherever it is not, is reported with every path tried.
        if !search.files.contains(where: { $0.name == "cuda" }) {
            let cuda = try #require(search.missing.first { $0.name == "cuda" })
            guard case .notFound(let tried) = cuda.status else { Issue.record("\(cuda.status)"); return }
            #expect(tried.contains(PluginFixtures.folder.path + "/libswifttorch_cuda.so"))
        }
    }

    @Test func theCUDAPluginBuildsAndReportsAMissingDriver() throws {
        let path = try PluginFixtures.buildCUDA()
        let folder = (path as NSString).deletingLastPathComponent
        let search = PluginDiscovery.search(environment: ["SWIFTTORCH_PLUGIN_PATH": folder])
        #expect(search.files.contains { $0.name == "cuda" }, "discovery did not find \(path)")
        let record = PluginLoader.load(path: path)
        guard case .loaded(let backends, let kernels, _) = record.status else {
            Issue.record("the CUDA plugin did not load: \(record.status.summary)")
            return
        }
        #expect(backends == ["cuda"])
        let cuda = try #require(Runtime.registry.backendDescriptor(named: "cuda"))
        #expect(cuda.deviceKind == .cuda(0))
        guard case .unavailable(let reason) = cuda.availability else {
            // A machine with a GPU driver: the kernels are there.
            #expect(kernels.contains("_to_copy") && kernels.contains("mm"))
            return
        }
        #expect(kernels.isEmpty)
        #expect(reason.contains("libcuda.so.1") || reason.contains("cuInit") || reason.contains("NVRTC"), "\(reason)")

        // Naming it alone is an error with the reason; in a list it is skipped.
        let error = #expect(throws: TorchError.self) { try Runtime.resolvePriority("cuda") }
        #expect(error?.kind == .backendUnavailable)
        #expect(error?.message.contains(reason) == true)
        #expect(try Runtime.resolvePriority("cuda,reference").names == ["reference"])

        // Using the device fails with the same reason, never a crash.
        let move = #expect(throws: TorchError.self) { try Tensor([1.0, 2.0]).to(.cuda) }
        #expect(move?.kind == .backendUnavailable)
        #expect(move?.message.contains(reason) == true)
        #expect(throws: TorchError.self) { try Tensor.zeros([2], device: .cuda) }
    }

    @Test func anInvalidCPUFallbackSettingIsAnError() throws {
        _ = Runtime.registry
        #expect(throws: TorchError.self) { try DeviceFallback.provider(environment: ["SWIFTTORCH_CUDA_FALLBACK": "gpu"]) }
        #expect(try DeviceFallback.provider(environment: [:]) == nil)
    }
}
