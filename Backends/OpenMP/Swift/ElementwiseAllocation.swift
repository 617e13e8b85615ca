#if canImport(Glibc)
import Glibc
#endif
import SwiftTorchCore

/// Output memory for the OpenMP backend (for its `BackendDescriptor.allocate`).
///
/// `Storage.cpu` zero-fills with one thread through 4 KiB pages; on a 64 MiB output that
/// costs more than the kernel itself (measured here: about 40 ms against 15-25 ms for an
/// add), because every page faults on that one thread. Large blocks instead come from
/// `mmap` (already zero, nothing to fill), 2 MiB-aligned and advised as transparent huge
/// pages (this machine's THP mode is `madvise`, as NumPy also uses for big arrays), so the
/// kernel's threads fault a few huge pages in parallel on first write. Small blocks keep
/// `Storage.cpu`: a syscall per allocation would cost more than it saves.
enum OpenMPAllocation {
    /// From this size on, blocks are mapped (NumPy's huge-page threshold is the same 4 MiB).
    static let mappedThreshold = 4 << 20
    static let hugePage = 2 << 20

    static func storage(byteCount: Int) -> Storage {
        #if os(Linux)
        if byteCount >= mappedThreshold, let storage = mapped(byteCount) { return storage }
        #endif
        return .cpu(byteCount: byteCount, zeroed: false)
    }

    #if os(Linux)
    private static func mapped(_ byteCount: Int) -> Storage? {
        // Over-allocate by one huge page so the block can start on a 2 MiB boundary.
        let total = byteCount + hugePage
        guard let raw = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              Int(bitPattern: raw) != -1 else { return nil }
        let start = (Int(bitPattern: raw) + hugePage - 1) & ~(hugePage - 1)
        guard let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return nil }
        // Advice only: without THP the memory is still valid, just faulted in 4 KiB pages.
        _ = madvise(aligned, byteCount, MADV_HUGEPAGE)
        let base = Int(bitPattern: raw)
        return Storage(device: .cpu, byteCount: byteCount, data: aligned, release: { _ in
            _ = munmap(UnsafeMutableRawPointer(bitPattern: base), total)
        })
    }
    #endif
}
