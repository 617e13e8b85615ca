import Synchronization

/// A block of memory that tensors view. Several tensors (views) share one storage; it is
/// freed when the last of them goes.
///
/// `@unchecked Sendable`: the pointer itself never changes; writes to the memory it points to
/// are ordered by whoever shares the tensors, as with any PyTorch tensor.
public final class Storage: @unchecked Sendable {
    /// Who gives `data` back. Host blocks name their allocator, so a tensor's storage costs no
    /// heap-allocated closure context; memory a backend or plugin owns keeps its closure.
    /// `cached`: the block came from the allocator's cached path, not its `system` one.
    enum Owner {
        /// ``CachingAllocator/shared``'s, named by the case: no reference to count.
        case sharedHost(cached: Bool)
        /// A private allocator's, which the storage keeps alive.
        case host(CachingAllocator, cached: Bool)
        case external(@Sendable (UnsafeMutableRawPointer) -> Void)
    }

    /// The device that owns `data`; for `.cuda` it is a device pointer, never dereferenced here.
    public let device: Device
    /// The size of the allocation in bytes.
    public let byteCount: Int
    /// The start of the memory (a device pointer for a GPU storage).
    public let data: UnsafeMutableRawPointer
    private let owner: Owner
    /// Bumped by every in-place write, so autograd can tell that a saved tensor changed.
    private let versionCounter = Atomic<Int>(0)

    /// Wraps memory that a backend allocated; `release` gives it back.
    public init(device: Device, byteCount: Int, data: UnsafeMutableRawPointer,
                release: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.device = device
        self.byteCount = byteCount
        self.data = data
        self.owner = .external(release)
    }

    /// A host block from `CachingAllocator`.
    init(hostBlock data: UnsafeMutableRawPointer, byteCount: Int, owner: Owner) {
        self.device = .cpu
        self.byteCount = byteCount
        self.data = data
        self.owner = owner
    }

    /// Host memory aligned for the widest vector loads (64 bytes), from
    /// ``CachingAllocator/shared``; zero-filled unless `zeroed` is false (kernel outputs,
    /// which the kernel overwrites: a memset of a 64 MiB output would cost as much as the
    /// `add` that fills it). Throws ``TorchError/Kind/outOfMemory`` naming the bytes when the
    /// memory cannot be had.
    public static func cpu(byteCount: Int, zeroed: Bool = true) throws -> Storage {
        try CachingAllocator.shared.storage(byteCount: byteCount, zeroed: zeroed)
    }

    /// One element of `dtype` on the host, for a Swift number used as an operand. Its size
    /// is the library's, never the user's, and is no larger than the `Tensor` object that
    /// holds it: if the system cannot give that much, Swift's own object allocation, which
    /// cannot fail softly, would stop the program the same way. That is why this one may stop.
    static func scalarOnCPU(_ dtype: DType) -> Storage {
        do {
            return try CachingAllocator.shared.storage(byteCount: dtype.itemSize, zeroed: false)
        } catch {
            fatalError("SwiftTorch: the system cannot give \(dtype.itemSize) bytes: \(error)")
        }
    }

    deinit {
        switch owner {
        case .sharedHost(let cached): CachingAllocator.shared.release(data, byteCount: byteCount, cached: cached)
        case .host(let allocator, let cached): allocator.release(data, byteCount: byteCount, cached: cached)
        case .external(let release): release(data)
        }
    }

    /// Counts in-place writes, PyTorch's `_version`: autograd compares it with the value saved.
    public var version: Int { versionCounter.load(ordering: .relaxed) }
    /// Records an in-place write.
    public func bumpVersion() { versionCounter.add(1, ordering: .relaxed) }
}
