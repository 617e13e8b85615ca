/// How host memory for tensors is obtained (`SWIFTTORCH_ALLOCATOR`).
public enum AllocatorMode: String, Sendable, CaseIterable {
    /// Freed blocks are kept per size class and reused (the default).
    case caching
    /// Every block comes straight from the system at its exact size and goes straight back
    /// when freed, so AddressSanitizer and leak checkers see each tensor as an allocation.
    case system

    /// The environment variable that chooses the mode.
    public static let variable = "SWIFTTORCH_ALLOCATOR"

    /// Reads `SWIFTTORCH_ALLOCATOR` (case-insensitive); unset or empty means `caching`.
    public static func fromEnvironment(_ env: [String: String]) throws -> AllocatorMode {
        guard let raw = env[variable], !raw.isEmpty else { return .caching }
        guard let mode = AllocatorMode(rawValue: raw.lowercased()) else {
            let accepted = allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
            throw TorchError(.invalidArgument, "\(variable)='\(raw)' is not valid; use \(accepted), or leave it unset for 'caching'")
        }
        return mode
    }
}

/// A snapshot of a ``CachingAllocator``'s counters, as `swifttorch info` prints them.
///
/// Bytes are block capacities (a request rounded up to its size class; in `system` mode the
/// exact request), so they are what the process really holds.
public struct AllocatorStatistics: Sendable, Equatable {
    /// The mode in force.
    public var mode: AllocatorMode
    /// Bytes in blocks that storages hold now.
    public var bytesInUse: Int
    /// Bytes in freed blocks kept for reuse.
    public var bytesCached: Int
    /// The most `bytesInUse` has been since the allocator was made or ``CachingAllocator/resetPeak()``.
    public var peakBytesInUse: Int
    /// The most `bytesCached` may be; a freed block that would pass it goes back to the system.
    public var cacheLimit: Int
    /// Blocks handed out (`cacheHits + cacheMisses`).
    public var allocations: Int
    /// Blocks given back by storages.
    public var frees: Int
    /// Allocations served from the cache.
    public var cacheHits: Int
    /// Allocations that went to the system (every one in `system` mode).
    public var cacheMisses: Int
    /// Blocks returned to the system: frees in `system` mode, frees past the cache limit,
    /// and blocks released by ``CachingAllocator/emptyCache()``.
    public var releasedToSystem: Int
    /// Blocks kept for reuse now.
    public var blocksCached: Int

    /// Blocks that storages hold now.
    public var blocksInUse: Int { allocations - frees }
}
