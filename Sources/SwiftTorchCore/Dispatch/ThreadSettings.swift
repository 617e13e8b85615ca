/// The thread counts the CPU backends' parallel regions use: `SWIFTTORCH_NUM_THREADS`, and
/// `OMP_NUM_THREADS`, which LLVM's libomp reads by itself.
///
/// Both are read at start-up, where there is no call to throw from: a bad value is reported
/// once on standard error and by `swifttorch info`, and the default is used. Neither may
/// stop the process: `Int32(4294967296)` traps, libomp aborts on `OMP_NUM_THREADS=-3`,
/// reads `abc` as a garbage count, and fails to start a billion threads.
public enum ThreadSettings {
    /// SwiftTorch's own thread count for the openmp backend; it wins over `OMP_NUM_THREADS`.
    public static let variable = "SWIFTTORCH_NUM_THREADS"
    /// The OpenMP standard's variable, which libomp reads when it starts.
    public static let openMPVariable = "OMP_NUM_THREADS"

    /// The most threads accepted: four per core, and at least 256. More only slows the
    /// kernels down, and every thread libomp starts reserves a stack of its own.
    public static func maximum(cores: Int) -> Int { Swift.max(256, 4 * cores) }

    /// Reads `SWIFTTORCH_NUM_THREADS`: nil when unset or empty (use the default), else an
    /// integer in `1...maximum(cores:)`; anything else throws
    /// ``TorchError/Kind/invalidArgument`` naming the variable, the value and the range.
    public static func threadCount(_ value: String?, cores: Int) throws -> Int? {
        guard let value, !value.isEmpty else { return nil }
        return try count(variable, value, value, cores: cores)
    }

    /// Checks `OMP_NUM_THREADS` as libomp would read it: a comma-separated list of thread
    /// counts (one per nesting level), each an integer in `1...maximum(cores:)`. Unset or
    /// empty is fine (libomp's default).
    public static func checkOpenMPList(_ value: String?, cores: Int) throws {
        guard let value, !value.isEmpty else { return }
        for level in value.split(separator: ",", omittingEmptySubsequences: false) {
            _ = try count(openMPVariable, value, String(level), cores: cores)
        }
    }

    private static func count(_ name: String, _ whole: String, _ text: String, cores: Int) throws -> Int {
        let limit = maximum(cores: cores)
        let trimmed = text.trimmingSpaces
        // Digits only: `Int("+4")` and `Int("-0")` parse, but libomp reads neither.
        guard trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(trimmed), (1...limit).contains(n) else {
            throw TorchError(.invalidArgument, "\(name)='\(whole)' is not valid: use a whole number of threads from 1 to \(limit) (4 per core, at least 256), or leave it unset for every core")
        }
        return n
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs (libomp skips them too); no Foundation here.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
