#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Swift arrays cannot fail softly: `[Double](repeating: 0, count: n)` stops the process when
/// the system refuses the memory. Code that copies a tensor's elements into arrays (the
/// reference backend, `toArray`) asks here first, so that a tensor the allocator could give
/// (a lazily mapped block, a stride-0 view of a billion elements) is an `outOfMemory` error
/// rather than a trap when its elements as `Double`s could not fit.
///
/// The bound is the machine's physical memory: a request above it is refused by the
/// system's allocator outright (Linux's default overcommit heuristic), so it is exactly
/// the one Swift would trap on. Below it the system may still run short later, as it may
/// for any program.
public enum HostArrayBudget {
    /// The machine's physical memory in bytes (0 when the system does not say).
    public static let physicalMemory: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 0 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? .max : bytes
    }()

    /// Throws ``TorchError/Kind/outOfMemory`` naming `op` when `count` elements of
    /// `elementSize` bytes each overflow an `Int` or pass the machine's physical memory.
    public static func require(_ op: String, count: Int, elementSize: Int, for what: @autoclosure () -> String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        let limit = physicalMemory > 0 ? physicalMemory : .max
        guard overflow || bytes > limit else { return }
        throw TorchError(.outOfMemory, "\(op): can't allocate memory: \(what()) needs \(count) elements of \(elementSize) bytes"
            + "\(overflow ? ", more bytes than an Int can count" : " (\(bytes) bytes)"), more than this machine's \(physicalMemory) bytes of memory")
    }
}
