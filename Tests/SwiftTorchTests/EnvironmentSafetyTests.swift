import Foundation
import SwiftTorch
import Testing

// Thread counts from the environment. `SWIFTTORCH_NUM_THREADS=4294967296` once trapped at
// start-up (an Int32 conversion), so every command died, `swifttorch info` included; libomp
// itself aborts on `OMP_NUM_THREADS=-3`. Start-up has no caller to throw to: a bad value is
// reported once and the default is used.

@Suite("Thread counts from the environment")
struct ThreadSettingsTests {
    @Test(arguments: ["4294967296", "-3", "0", "abc", "+4", "1e3", "4.0", "99999999999999999999", "257", " ", "4,2"])
    func aBadThreadCountThrowsNamingTheVariableTheValueAndTheRange(_ value: String) {
        let error = #expect(throws: TorchError.self) { try ThreadSettings.threadCount(value, cores: 2) }
        #expect(error?.kind == .invalidArgument)
        for fragment in ["SWIFTTORCH_NUM_THREADS='\(value)'", "from 1 to 256"] {
            #expect(error?.message.contains(fragment) == true, "'\(fragment)' not in: \(error?.message ?? "")")
        }
    }

    @Test func goodThreadCountsAreRead() throws {
        #expect(try ThreadSettings.threadCount("1", cores: 2) == 1)
        #expect(try ThreadSettings.threadCount(" 8 ", cores: 2) == 8)
        #expect(try ThreadSettings.threadCount("256", cores: 2) == 256)
        #expect(try ThreadSettings.threadCount("512", cores: 128) == 512)
    }

    @Test func anUnsetOrEmptyThreadCountMeansTheDefault() throws {
        #expect(try ThreadSettings.threadCount(nil, cores: 2) == nil)
        #expect(try ThreadSettings.threadCount("", cores: 2) == nil)
    }

    @Test(arguments: ["-3", "abc", "4294967296", "4,,2", "4,-1", "0"])
    func aBadOpenMPListThrows(_ value: String) {
        let error = #expect(throws: TorchError.self) { try ThreadSettings.checkOpenMPList(value, cores: 2) }
        #expect(error?.message.contains("OMP_NUM_THREADS='\(value)'") == true)
    }

    @Test func goodOpenMPListsPass() throws {
        for value in [nil, "", "2", "4,2", " 3 "] { try ThreadSettings.checkOpenMPList(value, cores: 2) }
    }
}

@Suite("Bad environment values at start-up")
struct StartupEnvironmentTests {
    /// In a child process whose environment is set before the runtime starts: work still
    /// runs, with the default thread count, and the openmp backend reports what it ignored.
    @Test func aHugeThreadCountIsIgnoredAndReported() async {
        await #expect(processExitsWith: .success) {
            setenv("SWIFTTORCH_NUM_THREADS", "4294967296", 1)
            let sum = try Runtime.withBackend("openmp") { try (Tensor.ones([1000]) * 2).sum().item() }
            #expect(sum == 2000)
            let details = Runtime.registry.backendDescriptor(named: "openmp")?.details ?? []
            #expect(details.contains { $0.contains("SWIFTTORCH_NUM_THREADS='4294967296' is not valid") && $0.contains("ignored") })
            #expect(details.contains { $0.hasPrefix("threads: ") && !$0.hasPrefix("threads: 0") })
        }
    }

    /// libomp aborts on a negative `OMP_NUM_THREADS`; SwiftTorch removes the value before
    /// libomp starts.
    @Test func aNegativeOpenMPThreadCountIsIgnoredAndReported() async {
        await #expect(processExitsWith: .success) {
            setenv("OMP_NUM_THREADS", "-3", 1)
            let sum = try Runtime.withBackend("openmp") { try (Tensor.ones([1000]) + 1).sum().item() }
            #expect(sum == 2000)
            let details = Runtime.registry.backendDescriptor(named: "openmp")?.details ?? []
            #expect(details.contains { $0.contains("OMP_NUM_THREADS='-3' is not valid") })
        }
    }

    /// The command from the report: `swifttorch info` runs and says what it ignored.
    @Test(arguments: [("SWIFTTORCH_NUM_THREADS", "4294967296"), ("OMP_NUM_THREADS", "-3"), ("OMP_NUM_THREADS", "abc"),
                      ("SWIFTTORCH_GEMM_KERNEL", "fastest")])
    func infoRunsAndReportsABadValue(_ variable: String, _ value: String) throws {
        let tool = TraceSummaryTests.tool
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "no swifttorch beside the tests at \(tool.path)")
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = value
        let process = Process()
        process.executableURL = tool
        process.arguments = ["info"]
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let reported = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0, "stderr: \(reported)")
        let notice = "\(variable)='\(value)' is not"
        #expect(printed.contains(notice), "stdout: \(printed)")
        // Reported on standard error once, not once per use.
        #expect(reported.components(separatedBy: notice).count == 2, "stderr: \(reported)")
    }
}
