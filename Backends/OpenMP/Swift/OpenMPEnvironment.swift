import COpenMPKernels
import Foundation
import SwiftTorchCore

/// The openmp backend's settings from the environment, read once before libomp starts.
///
/// - Threads: `SWIFTTORCH_NUM_THREADS` wins, else `OMP_NUM_THREADS` (which libomp reads
///   itself when it starts), else every core. Both are checked first (``ThreadSettings``).
/// - `SWIFTTORCH_GEMM_KERNEL` (`portable`, `avx2`, `avx512`) picks the matrix-product kernel;
///   the C side ignores a name it does not know or a kernel this CPU cannot run.
///
/// A bad value is reported once on standard error and in `swifttorch info`, and the default
/// is used: start-up has no caller to throw to, and no command may die of a typo in the
/// environment.
enum OpenMPEnvironment {
    /// The threads parallel regions use, and what was wrong with the environment.
    static let setup: (threads: Int, notices: [String]) = {
        let environment = ProcessInfo.processInfo.environment
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var notices: [String] = []
        do {
            try ThreadSettings.checkOpenMPList(environment[ThreadSettings.openMPVariable], cores: cores)
        } catch {
            // libomp has not started yet (the first omp_* call below starts it): without the
            // variable it takes its default instead of aborting or misreading it.
            unsetenv(ThreadSettings.openMPVariable)
            notices.append("\(message(error)); ignored, so libomp uses its default")
        }
        do {
            if let n = try ThreadSettings.threadCount(environment[ThreadSettings.variable], cores: cores) {
                st_omp_set_threads(Int32(n))
            }
        } catch {
            notices.append("\(message(error)); ignored")
        }
        if let wanted = environment[gemmKernelVariable], !wanted.isEmpty {
            let chosen = String(cString: st_gemm_kernel_name())
            if wanted != chosen {
                notices.append("\(gemmKernelVariable)='\(wanted)' is not a kernel this CPU runs (portable, avx2 or avx512 where supported); using '\(chosen)'")
            }
        }
        for notice in notices { FileHandle.standardError.write(Data("SwiftTorch: \(notice)\n".utf8)) }
        return (Int(st_omp_max_threads()), notices)
    }()

    static let gemmKernelVariable = "SWIFTTORCH_GEMM_KERNEL"

    private static func message(_ error: any Error) -> String { (error as? TorchError)?.message ?? "\(error)" }
}
