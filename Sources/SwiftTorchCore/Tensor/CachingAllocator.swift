#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Host memory for CPU tensors: 64-byte aligned blocks, rounded up to a size class
/// (`HostBlockSize`), kept on a per-class free list when freed and handed out again to the
/// next request of that class, so a training loop stops asking the system for memory (and
/// faulting its pages in) after its first step.
///
/// - Each class has its own lock, so threads working on different sizes never meet; in the
///   common case (one thread) an allocation or a free is one uncontended lock and one atomic
///   add, with no reference counting and no call into malloc.
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
///
/// `@unchecked Sendable`: the class table is allocated once and never moves; each entry is a
/// `Mutex`, and every other field is atomic.
public final class CachingAllocator: @unchecked Sendable {
    /// The allocator behind ``Storage/cpu(byteCount:zeroed:)``. Its mode comes from
    /// `SWIFTTORCH_ALLOCATOR` when first used; a bad value leaves it `caching` and fails the
    /// runtime's start-up with a message.
    public static let shared = CachingAllocator(mode: (try? AllocatorMode.fromEnvironment(processEnvironment(AllocatorMode.variable))) ?? .caching,
                                                cacheLimit: defaultCacheLimit, isShared: true)

    /// The default ``cacheLimit``: 1 GiB.
    public static let defaultCacheLimit = 1 << 30

    /// One size class: its free list and counters, under its own lock.
    private struct SizeClass {
        /// The first cached block's address (0: none); each block holds the next one's.
        var head: UInt = 0
        var cachedBlocks = 0
        var hits = 0, misses = 0, frees = 0, released = 0
    }

    /// One lock per class, in a table rather than an array of objects, so reaching a class
    /// costs no reference counting.
    private let classes: UnsafeMutablePointer<Mutex<SizeClass>>
    private let modeCode: Atomic<UInt8>
    private let limit: Atomic<Int>
    /// Bytes taken from the system and not yet given back: in use plus cached. A hit or a
    /// free moves bytes between in use and cached, so it updates `cached` alone.
    private let held = Atomic<Int>(0)
    private let cached = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)
    /// Whether this is ``shared``: its storages name it by their owner case and hold no
    /// reference to it.
    let isShared: Bool

    /// A private allocator (tests, or a component that wants its own cache); most code uses
    /// ``shared``.
    public convenience init(mode: AllocatorMode = .caching, cacheLimit: Int = CachingAllocator.defaultCacheLimit) {
        self.init(mode: mode, cacheLimit: cacheLimit, isShared: false)
    }

    private init(mode: AllocatorMode, cacheLimit: Int, isShared: Bool) {
        classes = .allocate(capacity: HostBlockSize.classCount)
        for index in 0..<HostBlockSize.classCount { (classes + index).initialize(to: Mutex(SizeClass())) }
        modeCode = Atomic(mode == .caching ? 0 : 1)
        limit = Atomic(max(cacheLimit, 0))
        self.isShared = isShared
    }

    /// Only a private allocator goes (its storages hold it): its cached blocks go back first.
    deinit {
        emptyCache()
        classes.deinitialize(count: HostBlockSize.classCount)
        classes.deallocate()
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
            return Storage(hostBlock: data, byteCount: byteCount, owner: isShared ? .sharedHost(cached: false) : .host(self, cached: false))
        }
        let index = HostBlockSize.index(for: byteCount)
        let capacity = HostBlockSize.capacity(ofClass: index)
        let reused = classes[index].withLock { s -> UInt in
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
            let nowCached = cached.subtract(capacity, ordering: .relaxed).newValue
            notePeak(held.load(ordering: .relaxed) - nowCached)
            data = reused
            if zeroed { memset(data, 0, byteCount) }
        } else {
            do {
                data = try freshBlock(capacity, requested: byteCount)
            } catch {
                classes[index].withLock { $0.misses -= 1 }
                throw error
            }
            notePeak(held.add(capacity, ordering: .relaxed).newValue - cached.load(ordering: .relaxed))
            // A fresh mapping is already zero.
            if zeroed && capacity < SystemMemory.mappedThreshold { memset(data, 0, byteCount) }
        }
        return Storage(hostBlock: data, byteCount: byteCount, owner: isShared ? .sharedHost(cached: true) : .host(self, cached: true))
    }

    /// Gives back every cached block to the system.
    public func emptyCache() {
        for index in 0..<HostBlockSize.classCount {
            let capacity = HostBlockSize.capacity(ofClass: index)
            var next = classes[index].withLock { s -> UInt in
                let head = s.head
                s.released += s.cachedBlocks
                s.head = 0
                s.cachedBlocks = 0
                return head
            }
            while let block = UnsafeMutableRawPointer(bitPattern: next) {
                next = block.load(as: UInt.self)
                cached.subtract(capacity, ordering: .relaxed)
                held.subtract(capacity, ordering: .relaxed)
                releaseToSystem(block, capacity: capacity)
            }
        }
    }

    /// The counters now. Taken class by class, so under concurrent use they are close to,
    /// not exactly, one instant's values.
    public var statistics: AllocatorStatistics {
        let bytesCached = cached.load(ordering: .relaxed)
        var s = AllocatorStatistics(mode: mode, bytesInUse: held.load(ordering: .relaxed) - bytesCached, bytesCached: bytesCached,
                                    peakBytesInUse: peak.load(ordering: .relaxed), cacheLimit: cacheLimit, allocations: 0, frees: 0,
                                    cacheHits: 0, cacheMisses: 0, releasedToSystem: 0, blocksCached: 0)
        for index in 0..<HostBlockSize.classCount {
            classes[index].withLock { c in
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
    public func resetPeak() { peak.store(held.load(ordering: .relaxed) - cached.load(ordering: .relaxed), ordering: .relaxed) }

    // MARK: - Giving blocks back (from Storage.deinit)

    /// Gives back a block that `storage(byteCount:zeroed:)` handed out.
    func release(_ data: UnsafeMutableRawPointer, byteCount: Int, cached wasCached: Bool) {
        if wasCached { releaseCached(data, byteCount: byteCount) } else { releaseSystem(data, byteCount: byteCount) }
    }

    /// A block from the cached path: back on its class's list, or to the system when caching
    /// is off now or the cache is full.
    private func releaseCached(_ data: UnsafeMutableRawPointer, byteCount: Int) {
        let index = HostBlockSize.index(for: byteCount)
        let capacity = HostBlockSize.capacity(ofClass: index)
        var keep = false
        if modeCode.load(ordering: .relaxed) == 0 {
            keep = cached.add(capacity, ordering: .relaxed).newValue <= limit.load(ordering: .relaxed)
            if !keep { cached.subtract(capacity, ordering: .relaxed) }
        }
        if keep {
            let address = UInt(bitPattern: data)
            classes[index].withLock { s in
                UnsafeMutableRawPointer(bitPattern: address)!.storeBytes(of: s.head, as: UInt.self)
                s.head = address
                s.cachedBlocks += 1
                s.frees += 1
            }
        } else {
            held.subtract(capacity, ordering: .relaxed)
            classes[index].withLock { s in
                s.frees += 1
                s.released += 1
            }
            releaseToSystem(data, capacity: capacity)
        }
    }

    /// A block from the `system` path: freed at once.
    private func releaseSystem(_ data: UnsafeMutableRawPointer, byteCount: Int) {
        held.subtract(max(byteCount, 1), ordering: .relaxed)
        classes[HostBlockSize.index(for: byteCount)].withLock { s in
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
        classes[index].withLock { $0.misses += 1 }
        if zeroed { memset(data, 0, size) }
        notePeak(held.add(size, ordering: .relaxed).newValue - cached.load(ordering: .relaxed))
        return data
    }

    /// Raises the peak to `now` (bytes in use) if it is higher.
    private func notePeak(_ now: Int) {
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
