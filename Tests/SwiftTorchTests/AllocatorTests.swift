import Foundation
import SwiftTorch
import Testing

// The host allocator. Every test but the ones on `Storage.cpu` makes its own
// `CachingAllocator`, so the counters it reads are its own and the tests run in parallel;
// those on the shared allocator only read it or fail an allocation (which leaves it as it was).

@Suite("CachingAllocator")
struct CachingAllocatorTests {
    @Test func aFreedBlockIsReusedForARequestOfTheSameClass() throws {
        let allocator = CachingAllocator()
        var first: Storage? = try allocator.storage(byteCount: 100)
        let address = first!.data
        #expect(allocator.statistics.bytesInUse == 112)  // 100 rounds up to the 112-byte class
        first = nil
        var s = allocator.statistics
        #expect((s.allocations, s.cacheMisses, s.cacheHits, s.frees) == (1, 1, 0, 1))
        #expect((s.bytesInUse, s.bytesCached, s.blocksCached) == (0, 112, 1))

        let second = try allocator.storage(byteCount: 110)
        #expect(second.data == address)
        #expect(second.byteCount == 110)
        s = allocator.statistics
        #expect((s.allocations, s.cacheMisses, s.cacheHits) == (2, 1, 1))
        #expect((s.bytesInUse, s.bytesCached, s.blocksCached) == (112, 0, 0))
    }

    @Test func aRequestOfAnotherClassMisses() throws {
        let allocator = CachingAllocator()
        _ = try allocator.storage(byteCount: 100)
        _ = try allocator.storage(byteCount: 200)
        let s = allocator.statistics
        #expect((s.cacheHits, s.cacheMisses, s.blocksCached) == (0, 2, 2))
        #expect(s.bytesCached == 112 + 224)
    }

    @Test func aReusedBlockIsZeroedWhenAskedAndOnlyThen() throws {
        let allocator = CachingAllocator()
        var dirty: Storage? = try allocator.storage(byteCount: 256, zeroed: false)
        memset(dirty!.data, 0xAB, 256)
        dirty = nil
        let clean = try allocator.storage(byteCount: 256, zeroed: true)
        #expect(allocator.statistics.cacheHits == 1)
        let bytes = UnsafeRawBufferPointer(start: clean.data, count: 256)
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [0, 1, 63, 64, 65, 1000, 4096 + 1, 1 << 20, 5 << 20])
    func blocksAreAlignedTo64Bytes(byteCount: Int) throws {
        for mode in AllocatorMode.allCases {
            let storage = try CachingAllocator(mode: mode).storage(byteCount: byteCount)
            #expect(Int(bitPattern: storage.data) % 64 == 0, "\(mode)")
            #expect(UnsafeRawBufferPointer(start: storage.data, count: byteCount).allSatisfy { $0 == 0 }, "\(mode)")
        }
    }

    @Test func largeBlocksAreMappedOnHugePageBoundariesAndComeZeroed() throws {
        let allocator = CachingAllocator()
        var block: Storage? = try allocator.storage(byteCount: 6 << 20, zeroed: false)
        #expect(Int(bitPattern: block!.data) % (2 << 20) == 0)
        memset(block!.data, 0xFF, 6 << 20)
        block = nil
        let again = try allocator.storage(byteCount: 6 << 20, zeroed: true)
        #expect(allocator.statistics.cacheHits == 1)
        #expect(UnsafeRawBufferPointer(start: again.data, count: 6 << 20).allSatisfy { $0 == 0 })
    }

    @Test func peakFollowsTheMostInUseUntilReset() throws {
        let allocator = CachingAllocator()
        var held: [Storage]? = try [1000, 2000].map { try allocator.storage(byteCount: $0) }
        #expect(allocator.statistics.bytesInUse == 1024 + 2048)
        held = nil
        #expect(allocator.statistics.peakBytesInUse == 1024 + 2048)
        #expect(allocator.statistics.bytesInUse == 0)
        allocator.resetPeak()
        #expect(allocator.statistics.peakBytesInUse == 0)
        _ = held
    }

    @Test func countersBalanceAfterConcurrentUse() async throws {
        let allocator = CachingAllocator()
        let sizes = [8, 100, 1000, 4000, 70_000]
        let tasks = 8, rounds = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var held: [Storage] = []
                    for r in 0..<rounds {
                        let s = try allocator.storage(byteCount: sizes[(t + r) % sizes.count], zeroed: r % 2 == 0)
                        s.data.storeBytes(of: UInt8(t), as: UInt8.self)
                        held.append(s)
                        if held.count > 3 { held.removeFirst() }
                    }
                }
            }
            try await group.waitForAll()
        }
        let s = allocator.statistics
        #expect(s.allocations == tasks * rounds)
        #expect(s.cacheHits + s.cacheMisses == tasks * rounds)
        #expect(s.frees == s.allocations)
        #expect((s.blocksInUse, s.bytesInUse) == (0, 0))
        // Every block made is either cached now or was released; none were lost.
        #expect(s.cacheMisses == s.blocksCached + s.releasedToSystem)
        #expect(s.cacheHits > 0)
    }

    @Test func systemModeNeitherRoundsNorCaches() throws {
        let allocator = CachingAllocator(mode: .system)
        var block: Storage? = try allocator.storage(byteCount: 100)
        #expect(allocator.statistics.bytesInUse == 100)
        block = nil
        block = try allocator.storage(byteCount: 100)
        block = nil
        let s = allocator.statistics
        #expect(s.mode == .system)
        #expect((s.allocations, s.cacheHits, s.cacheMisses, s.frees, s.releasedToSystem) == (2, 0, 2, 2, 2))
        #expect((s.bytesInUse, s.bytesCached, s.blocksCached) == (0, 0, 0))
        _ = block
    }

    @Test func switchingToSystemModeEmptiesTheCacheAndReleasesLaterFrees() throws {
        let allocator = CachingAllocator()
        _ = try allocator.storage(byteCount: 100)
        var live: Storage? = try allocator.storage(byteCount: 300)
        #expect(allocator.statistics.blocksCached == 1)
        allocator.mode = .system
        #expect(allocator.statistics.blocksCached == 0)
        live = nil  // allocated while caching, freed after the switch: straight back to the system
        let s = allocator.statistics
        #expect((s.bytesCached, s.blocksCached, s.releasedToSystem, s.bytesInUse) == (0, 0, 2, 0))
        _ = live
    }

    @Test func theCacheStopsAtItsLimit() throws {
        let allocator = CachingAllocator(cacheLimit: 256)
        do {
            let blocks = try (0..<3).map { _ in try allocator.storage(byteCount: 128) }
            _ = blocks
        }
        var s = allocator.statistics
        #expect((s.bytesCached, s.blocksCached, s.releasedToSystem, s.frees) == (256, 2, 1, 3))
        allocator.cacheLimit = 128  // below what is cached: everything goes back
        s = allocator.statistics
        #expect((s.bytesCached, s.blocksCached, s.releasedToSystem, s.cacheLimit) == (0, 0, 3, 128))
    }

    @Test func emptyCacheReleasesEveryCachedBlock() throws {
        let allocator = CachingAllocator()
        do { _ = try [100, 1000, 5 << 20].map { try allocator.storage(byteCount: $0) } }
        #expect(allocator.statistics.blocksCached == 3)
        allocator.emptyCache()
        let s = allocator.statistics
        #expect((s.bytesCached, s.blocksCached, s.releasedToSystem) == (0, 0, 3))
        _ = try allocator.storage(byteCount: 100)
        #expect(allocator.statistics.cacheHits == 0)
    }
}

@Suite("Allocation failure")
struct AllocationFailureTests {
    @Test func aRequestTheSystemRefusesThrowsNamingTheBytes() throws {
        let error = #expect(throws: TorchError.self) { try Storage.cpu(byteCount: 1 << 50) }
        #expect(error?.kind == .outOfMemory)
        #expect(error?.message.contains("can't allocate memory: you tried to allocate 1125899906842624 bytes") == true)
        // The process goes on and can still allocate.
        #expect(try Storage.cpu(byteCount: 64).byteCount == 64)
    }

    @Test func systemModeFailsTheSameWay() throws {
        let error = #expect(throws: TorchError.self) { try CachingAllocator(mode: .system).storage(byteCount: 1 << 50) }
        #expect(error?.kind == .outOfMemory)
        #expect(error?.message.contains("1125899906842624 bytes") == true)
    }

    @Test(arguments: [-1, Int.max, (1 << 56) + 1])
    func anImpossibleByteCountThrows(byteCount: Int) throws {
        let error = #expect(throws: TorchError.self) { try CachingAllocator().storage(byteCount: byteCount) }
        #expect(error?.kind == .outOfMemory)
        #expect(error?.message.contains("you tried to allocate \(byteCount) bytes") == true)
    }

    @Test func aShapeWhoseBytesOverflowThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor(zerosOnCPU: [1 << 40, 1 << 40], dtype: .float32) }
        #expect(error?.kind == .outOfMemory)
        #expect(error?.message.contains("[1099511627776, 1099511627776]") == true)
    }

    @Test func aTensorTooLargeForTheMachineThrowsFromTheFrontEnd() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.zeros([1 << 24, 1 << 24], device: .cpu) }
        #expect(error?.kind == .outOfMemory)
        #expect(error?.message.contains("\(4 << 48) bytes") == true)
    }
}

@Suite("SWIFTTORCH_ALLOCATOR")
struct AllocatorEnvironmentTests {
    @Test func unsetOrEmptyMeansCaching() throws {
        #expect(try AllocatorMode.fromEnvironment([:]) == .caching)
        #expect(try AllocatorMode.fromEnvironment(["SWIFTTORCH_ALLOCATOR": ""]) == .caching)
    }

    @Test func systemAndCachingAreAcceptedInAnyCase() throws {
        #expect(try AllocatorMode.fromEnvironment(["SWIFTTORCH_ALLOCATOR": "system"]) == .system)
        #expect(try AllocatorMode.fromEnvironment(["SWIFTTORCH_ALLOCATOR": "SYSTEM"]) == .system)
        #expect(try AllocatorMode.fromEnvironment(["SWIFTTORCH_ALLOCATOR": "Caching"]) == .caching)
    }

    @Test func aBadValueThrowsNamingTheVariableAndTheAcceptedValues() throws {
        let error = #expect(throws: TorchError.self) { try AllocatorMode.fromEnvironment(["SWIFTTORCH_ALLOCATOR": "pooled"]) }
        #expect(error?.kind == .invalidArgument)
        for part in ["SWIFTTORCH_ALLOCATOR", "'pooled'", "'caching'", "'system'"] {
            #expect(error?.message.contains(part) == true, "\(part)")
        }
    }

    @Test func theSharedAllocatorFollowsTheEnvironment() throws {
        let expected = (try? AllocatorMode.fromEnvironment(ProcessInfo.processInfo.environment)) ?? .caching
        #expect(CachingAllocator.shared.mode == expected)
        #expect(Runtime.allocatorStatistics.mode == expected)
    }
}
