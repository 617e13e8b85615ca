#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory straight from the system, failing with `nil` rather than trapping (Swift's
/// `UnsafeMutableRawPointer.allocate` traps when malloc fails).
enum SystemMemory {
    /// From this size on, the caching allocator maps blocks itself (NumPy's huge-page
    /// threshold is the same 4 MiB): they start on a 2 MiB boundary and are advised as
    /// transparent huge pages (this machine's THP mode is `madvise`), so a kernel's threads
    /// fault a few huge pages in parallel on first write rather than one thread faulting
    /// 4 KiB pages; and a fresh mapping is already zero, so a zero-filled request costs
    /// no memset.
    static let mappedThreshold = 4 << 20
    static let hugePage = 2 << 20

    /// `byteCount` bytes aligned to 64, from malloc; on failure `error` is the errno value.
    static func aligned(_ byteCount: Int, error: inout Int32) -> UnsafeMutableRawPointer? {
        var p: UnsafeMutableRawPointer?
        error = posix_memalign(&p, HostBlockSize.minimum, byteCount)
        return error == 0 ? p : nil
    }

    static func freeAligned(_ p: UnsafeMutableRawPointer) { free(p) }

    /// Exactly `byteCount` bytes (a multiple of the page size) of zeroed memory starting on a
    /// 2 MiB boundary.
    static func mapped(_ byteCount: Int, error: inout Int32) -> UnsafeMutableRawPointer? {
        // Over-map by one huge page, then unmap the ends so only the aligned block stays.
        let total = byteCount + hugePage
        guard let raw = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            error = errno
            return nil
        }
        let base = Int(bitPattern: raw)
        let start = (base + hugePage - 1) & ~(hugePage - 1)
        if start > base { _ = munmap(raw, start - base) }
        let tail = base + total - (start + byteCount)
        if tail > 0 { _ = munmap(UnsafeMutableRawPointer(bitPattern: start + byteCount), tail) }
        let block = UnsafeMutableRawPointer(bitPattern: start)!
        #if os(Linux)
        // Advice only: without THP the memory is still valid, just faulted in 4 KiB pages.
        _ = madvise(block, byteCount, MADV_HUGEPAGE)
        #endif
        return block
    }

    static func unmap(_ p: UnsafeMutableRawPointer, _ byteCount: Int) { _ = munmap(p, byteCount) }

    /// An errno value as a message fragment: `error code 12 (Cannot allocate memory)`.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error code \(code)" }
        return "error code \(code) (\(String(cString: text)))"
    }
}
