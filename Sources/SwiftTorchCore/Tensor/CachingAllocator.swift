#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Host memory for CPU tensors: 64-byte aligned blocks, rounded up to a size class
/// (``HostBlockSize``), kept on a per-class free list when freed and handed out again to the
/// next request of that class, so a training loop stops asking the system for memory (and
/// faulting its pages in) after its first step.
///
/// - Each class has its own lock, so threads working on different sizes never meet; the
///   common case (one thread, an uncontended lock) is a few tens of nanoseconds.
/// - The free lists are intrusive: a cached block holds the link to the next one in its first
///   bytes, so caching a block allocates nothing.
/// - The cache is capped (``cacheLimit``): a freed block that would take it past the cap
///   goes back to the system; ``emptyCache()`` gives back everything cached, as
///   `torch.cuda.empty_cache()` does; a request the system refuses empties the cache and
///   is tried once more.
/// - Failure is an error: a request the system cannot meet, or one no machine could (a
///   negative or absurd byte count), throws ``TorchError/Kind/outOfMemory`` naming the bytes.
/// - In ``AllocatorMode/system`` mode (`SWIFTTORCH_ALLOCATOR=system`) nothing is cached or
///   rounded: every block is malloc'd at its exact size and freed at once, for sanitizers.
public final class CachingAllocator: Sendable {
    /// The allocator behind ``Storage/cpu(byteCount:zeroed:)``. Its mode comes from
    /// `SWIFTTORCH_ALLOCATOR` when first used; a bad value leaves it `caching` and fails the
    /// runtime's start-up with a message.
    public static let shared = CachingAllocator(mode: (try? AllocatorMode.fromEnvironment(processEnvironment(AllocatorMode.variable))) ?? .caching)

    /// The default ``cacheLimit``: 1 GiB.
    public static let defaultCacheLimit = 1 << 30

    /// One size class: its free list and counters, under one lock.
    private final class SizeClass: Sendable {
        struct State {
            /// The first cached block's address (0: none); each block holds the next one's.
            var head: UInt = 0
            var cachedBlocks = 0
            var hits = 0, misses = 0, frees = 0, released = 0
        }
        let state = Mutex(State())
    }

    private let classes: [SizeClass]
    private let modeCode: Atomic<UInt8>
    private let limit: Atomic<Int>
    private let inUse = Atomic<Int>(0)
    private let cached = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// A private allocator (tests, or a component that wants its own cache); most code uses
    /// ``shared``.
    public init(mode: AllocatorMode = .caching, cacheLimit: Int = CachingAllocator.defaultCacheLimit) {
        classes = (0..<HostBlockSize.classCount).map { _ in SizeClass() }
        modeCode = Atomic(mode == .caching ? 0 : 1)
        limit = Atomic(max(cacheLimit, 0))
    }

    /// Whether freed blocks are cached. Switching to `system` empties the cache; blocks
    /// allocated before a switch are given back correctly after it.
    public var mode: AllocatorMode {
        get { modeCode.load(ordering: .relaxed) == 0 ? .caching : .system }
        set {
            modeCode.store(newValue == .caching ? 0 : 1, ordering: .relaxed)
            if newValue == .system { emptyCache() }
        }
    }

    /// The most bytes kept in freed blocks; lowering it below what is cached empties the cache.
    public var cacheLimit: Int {
        get { limit.load(ordering: .relaxed) }
        set {
            limit.store(max(newValue, 0), ordering: .relaxed)
            if cached.load(ordering: .relaxed) > newValue { emptyCache() }
        }
    }

    /// A storage of `byteCount` bytes on the CPU, zero-filled (its first `byteCount` bytes)
    /// unless `zeroed` is false.
    public func storage(byteCount: Int, zeroed: Bool = true) throws -> Storage {
        guard byteCount >= 0, byteCount <= HostBlockSize.maximumByteCount else {
            throw TorchError(.outOfMemory, "CPU allocator: can't allocate memory: you tried to allocate \(byteCount) bytes, "
                + "which is \(byteCount < 0 ? "negative" : "more than the \(HostBlockSize.maximumByteCount) bytes any machine can address")")
        }
        if modeCode.load(ordering: .relaxed) != 0 {
            let data = try systemBlock(byteCount, zeroed: zeroed)
            return Storage(hostBlock: data, byteCount: byteCount, owner: .systemHost(self))
        }
        let index = HostBlockSize.index(for: byteCount)
        let capacity = HostBlockSize.capacity(ofClass: index)
        let reused = classes[index].state.withLock { s -> UInt in
            let head = s.head
            guard let block = UnsafeMutableRawPointer(bitPattern: head) else {
                s.misses += 1
                return 0
            }
            s.head = block.load(as: UInt.self)
            s.cachedBlocks -= 1
            s.hits += 1
            return head
        }
        let data: UnsafeMutableRawPointer
        if let reused = UnsafeMutableRawPointer(bitPattern: reused) {
            cached.subtract(capacity, ordering: .relaxed)
            data = reused
            if zeroed { memset(data, 0, byteCount) }
        } else {
            do {
                data = try freshBlock(capacity, requested: byteCount)
            } catch {
                classes[index].state.withLock { $0.misses -= 1 }
                throw error
            }
            // A fresh mapping is already zero.
            if zeroed && capacity < SystemMemory.mappedThreshold { memset(data, 0, byteCount) }
        }
        noteInUse(capacity)
        return Storage(hostBlock: data, byteCount: byteCount, owner: .cachedHost(self))
    }

    /// Gives back every cached block to the system.
    public func emptyCache() {
        for (index, sizeClass) in classes.enumerated() {
            let capacity = HostBlockSize.capacity(ofClass: index)
            var next = sizeClass.state.withLock { s -> UInt in
                let head = s.head
                s.released += s.cachedBlocks
                s.head = 0
                s.cachedBlocks = 0
                return head
            }
            while let block = UnsafeMutableRawPointer(bitPattern: next) {
                next = block.load(as: UInt.self)
                cached.subtract(capacity, ordering: .relaxed)
                releaseToSystem(block, capacity: capacity)
            }
        }
    }

    /// The counters now. Taken class by class, so under concurrent use they are close to,
    /// not exactly, one instant's values.
    public var statistics: AllocatorStatistics {
        var s = AllocatorStatistics(mode: mode, bytesInUse: inUse.load(ordering: .relaxed), bytesCached: cached.load(ordering: .relaxed),
                                    peakBytesInUse: peak.load(ordering: .relaxed), cacheLimit: cacheLimit, allocations: 0, frees: 0,
                                    cacheHits: 0, cacheMisses: 0, releasedToSystem: 0, blocksCached: 0)
        for sizeClass in classes {
            sizeClass.state.withLock { c in
                s.cacheHits += c.hits
                s.cacheMisses += c.misses
                s.frees += c.frees
                s.releasedToSystem += c.released
                s.blocksCached += c.cachedBlocks
            }
        }
        s.allocations = s.cacheHits + s.cacheMisses
        return s
    }

    /// Starts the peak over from the bytes in use now.
    public func resetPeak() { peak.store(inUse.load(ordering: .relaxed), ordering: .relaxed) }

    // MARK: - Giving blocks back (from Storage.deinit)

    /// A block from the cached path: back on its class's list, or to the system when caching
    /// is off now or the cache is full.
    func releaseCached(_ data: UnsafeMutableRawPointer, byteCount: Int) {
        let index = HostBlockSize.index(for: byteCount)
        let capacity = HostBlockSize.capacity(ofClass: index)
        inUse.subtract(capacity, ordering: .relaxed)
        var keep = false
        if modeCode.load(ordering: .relaxed) == 0 {
            keep = cached.add(capacity, ordering: .relaxed).newValue <= limit.load(ordering: .relaxed)
            if !keep { cached.subtract(capacity, ordering: .relaxed) }
        }
        if keep {
            let address = UInt(bitPattern: data)
            classes[index].state.withLock { s in
                UnsafeMutableRawPointer(bitPattern: address)!.storeBytes(of: s.head, as: UInt.self)
                s.head = address
                s.cachedBlocks += 1
                s.frees += 1
            }
        } else {
            classes[index].state.withLock { s in
                s.frees += 1
                s.released += 1
            }
            releaseToSystem(data, capacity: capacity)
        }
    }

    /// A block from the `system` path: freed at once.
    func releaseSystem(_ data: UnsafeMutableRawPointer, byteCount: Int) {
        inUse.subtract(max(byteCount, 1), ordering: .relaxed)
        classes[HostBlockSize.index(for: byteCount)].state.withLock { s in
            s.frees += 1
            s.released += 1
        }
        SystemMemory.freeAligned(data)
    }

    // MARK: - Getting blocks from the system

    private func freshBlock(_ capacity: Int, requested: Int) throws -> UnsafeMutableRawPointer {
        var error: Int32 = 0
        if let block = obtain(capacity, error: &error) { return block }
        // The system refused: give back what the cache holds and try once more.
        emptyCache()
        if let block = obtain(capacity, error: &error) { return block }
        throw TorchError(.outOfMemory, "CPU allocator: can't allocate memory: you tried to allocate \(requested) bytes "
            + "(\(capacity) with its size class); \(SystemMemory.describe(error))")
    }

    private func obtain(_ capacity: Int, error: inout Int32) -> UnsafeMutableRawPointer? {
        capacity >= SystemMemory.mappedThreshold ? SystemMemory.mapped(capacity, error: &error) : SystemMemory.aligned(capacity, error: &error)
    }

    private func releaseToSystem(_ block: UnsafeMutableRawPointer, capacity: Int) {
        if capacity >= SystemMemory.mappedThreshold { SystemMemory.unmap(block, capacity) } else { SystemMemory.freeAligned(block) }
    }

    private func systemBlock(_ byteCount: Int, zeroed: Bool) throws -> UnsafeMutableRawPointer {
        let index = HostBlockSize.index(for: byteCount)
        let size = max(byteCount, 1)
        var error: Int32 = 0
        guard let data = SystemMemory.aligned(size, error: &error) else {
            throw TorchError(.outOfMemory, "CPU allocator: can't allocate memory: you tried to allocate \(byteCount) bytes; \(SystemMemory.describe(error))")
        }
        classes[index].state.withLock { $0.misses += 1 }
        if zeroed { memset(data, 0, size) }
        noteInUse(size)
        return data
    }

    private func noteInUse(_ bytes: Int) {
        let now = inUse.add(bytes, ordering: .relaxed).newValue
        var high = peak.load(ordering: .relaxed)
        while now > high {
            let (exchanged, original) = peak.compareExchange(expected: high, desired: now, ordering: .relaxed)
            if exchanged { break }
            high = original
        }
    }
}

/// One environment variable, without Foundation (this module does not link it).
private func processEnvironment(_ name: String) -> [String: String] {
    guard let value = getenv(name) else { return [:] }
    return [name: String(cString: value)]
}
