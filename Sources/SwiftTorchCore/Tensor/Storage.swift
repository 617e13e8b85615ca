import Synchronization

/// A block of memory that tensors view. Several tensors (views) share one storage; it is
/// freed when the last of them goes.
///
/// `@unchecked Sendable`: the pointer itself never changes; writes to the memory it points to
/// are ordered by whoever shares the tensors, as with any PyTorch tensor.
public final class Storage: @unchecked Sendable {
    /// The device that owns `data`; for `.cuda` it is a device pointer, never dereferenced here.
    public let device: Device
    public let byteCount: Int
    public let data: UnsafeMutableRawPointer
    private let release: @Sendable (UnsafeMutableRawPointer) -> Void
    /// Bumped by every in-place write, so autograd can tell that a saved tensor changed.
    private let versionCounter = Atomic<Int>(0)

    /// Wraps memory that a backend allocated; `release` gives it back.
    public init(device: Device, byteCount: Int, data: UnsafeMutableRawPointer,
                release: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        self.device = device
        self.byteCount = byteCount
        self.data = data
        self.release = release
    }

    /// Host memory aligned for the widest vector loads, zero-filled unless `zeroed` is false
    /// (kernel outputs, which the kernel overwrites: a memset of a 64 MiB output would cost
    /// as much as the `add` that fills it).
    public static func cpu(byteCount: Int, zeroed: Bool = true) -> Storage {
        // Never allocate 0 bytes: a valid pointer keeps empty tensors uniform.
        let size = max(byteCount, 64)
        let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        if zeroed { p.initializeMemory(as: UInt8.self, repeating: 0, count: size) }
        return Storage(device: .cpu, byteCount: byteCount, data: p, release: { $0.deallocate() })
    }

    deinit { release(data) }

    public var version: Int { versionCounter.load(ordering: .relaxed) }
    public func bumpVersion() { versionCounter.add(1, ordering: .relaxed) }
}
