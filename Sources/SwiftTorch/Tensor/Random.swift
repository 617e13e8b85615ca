import Synchronization
import SwiftTorchCore

#if canImport(Glibc)
import Glibc
#endif

/// A seedable source of random numbers (xoshiro256**, seeded through SplitMix64), as
/// PyTorch's `torch.Generator`. Values come from the host, so a seed gives the same tensor
/// on every backend and device.
public final class Generator: Sendable {
    private let state: Mutex<(UInt64, UInt64, UInt64, UInt64)>

    /// A generator whose stream is fixed by `seed`, as `torch.Generator().manual_seed(seed)`.
    public init(seed: UInt64) {
        state = Mutex(Generator.expand(seed))
    }

    /// The process-wide generator that creation functions use when none is given.
    public static let `default` = Generator(seed: 0x5EED_0F_5_1F77_0AC4)

    /// Restarts this generator from `seed`.
    public func manualSeed(_ seed: UInt64) {
        state.withLock { $0 = Generator.expand(seed) }
    }

    /// Where the generator is in its sequence (PyTorch's `get_state()`): setting it back
    /// with ``setState(_:)`` replays the same values from there on.
    public func getState() -> State {
        state.withLock { s in State(checkedWords: [s.0, s.1, s.2, s.3]) }
    }

    /// Moves the generator to `saved`, a value from ``getState()`` (PyTorch's `set_state`).
    public func setState(_ saved: State) {
        let w = saved.words
        state.withLock { $0 = (w[0], w[1], w[2], w[3]) }
    }

    private static func expand(_ seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// One step of xoshiro256**: the next raw value.
    @inline(__always)
    private static func step(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// A raw value as a uniform number in [0, 1) with `bits` random bits (kept in 1...53,
    /// the bits a `Double` holds exactly; the shifts below trap outside 0...64).
    @inline(__always)
    private static func unit(_ raw: UInt64, bits: Int) -> Double {
        let bits = UInt64(Swift.min(Swift.max(bits, 1), 53))
        return Double(raw >> (64 - bits)) * (1 / Double(UInt64(1) << bits))
    }

    /// A source of standard normal values (Box–Muller): each pair of uniforms gives two
    /// values, the second kept for the next call.
    private struct NormalPairs {
        var spare: Double?

        mutating func next(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> Double {
            if let v = spare { spare = nil; return v }
            let u0 = Generator.unit(Generator.step(&s), bits: 53), u1 = Generator.unit(Generator.step(&s), bits: 53)
            let r = (-2 * Glibc.log(1 - u0)).squareRoot()
            let theta = 2 * Double.pi * u1
            spare = r * Glibc.sin(theta)
            return r * Glibc.cos(theta)
        }
    }

    /// `count` raw 64-bit values.
    public func next(_ count: Int) -> [UInt64] {
        state.withLock { s in (0..<Swift.max(count, 0)).map { _ in Generator.step(&s) } }
    }

    /// `count` uniform values in [0, 1) with `bits` random bits each (24 for float32, so
    /// that rounding to float32 can never reach 1).
    public func uniform(_ count: Int, bits: Int = 53) -> [Double] {
        state.withLock { s in (0..<Swift.max(count, 0)).map { _ in Generator.unit(Generator.step(&s), bits: bits) } }
    }

    /// `count` standard normal values (Box–Muller).
    public func normal(_ count: Int) -> [Double] {
        state.withLock { s in
            var pairs = NormalPairs()
            return (0..<Swift.max(count, 0)).map { _ in pairs.next(&s) }
        }
    }

    /// `count` integers uniform in `low..<high`.
    public func integers(_ count: Int, low: Int64, high: Int64) -> [Int64] {
        let span = UInt64(bitPattern: high &- low)
        return next(count).map { low &+ Int64(bitPattern: $0 % span) }
    }

    // The tensor fills below draw the same sequence as the arrays above, written straight
    // into the tensor: a tensor the allocator could give may be far larger than an array
    // of `Double`s Swift could allocate (and Swift's allocation cannot fail softly).

    /// Fills `t` (on the host) with ``uniform(_:bits:)``'s values.
    func fillUniform(_ t: Tensor, bits: Int) {
        state.withLock { s in t.setDoubleValues { _ in Generator.unit(Generator.step(&s), bits: bits) } }
    }

    /// Fills `t` (on the host) with ``normal(_:)``'s values.
    func fillNormal(_ t: Tensor) {
        state.withLock { s in
            var pairs = NormalPairs()
            t.setDoubleValues { _ in pairs.next(&s) }
        }
    }

    /// Fills `t` (on the host) with ``integers(_:low:high:)``'s values.
    func fillIntegers(_ t: Tensor, low: Int64, high: Int64) {
        let span = UInt64(bitPattern: high &- low)
        state.withLock { s in
            // Floating outputs take the value through Double, as Tensor(_:shape:) does.
            if t.dtype.isFloatingPoint {
                t.setDoubleValues { _ in Double(low &+ Int64(bitPattern: Generator.step(&s) % span)) }
            } else {
                t.setInt64Values { _ in low &+ Int64(bitPattern: Generator.step(&s) % span) }
            }
        }
    }
}

/// Seeds the default generator, as `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) { Generator.default.manualSeed(seed) }

extension Tensor {
    /// Uniform values in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .defaultFloat, device: Device? = nil,
                            generator: Generator = .default) throws -> Tensor {
        try random("rand", shape, dtype, device) { generator.fillUniform($0, bits: dtype == .float32 ? 24 : 53) }
    }

    /// Standard normal values.
    public static func randn(_ shape: [Int], dtype: DType = .defaultFloat, device: Device? = nil,
                             generator: Generator = .default) throws -> Tensor {
        try random("randn", shape, dtype, device) { generator.fillNormal($0) }
    }

    /// Integers uniform in `low..<high`, as int64 by default.
    public static func randint(low: Int = 0, high: Int, _ shape: [Int], dtype: DType = .int64, device: Device? = nil,
                               generator: Generator = .default) throws -> Tensor {
        guard high > low else {
            throw TorchError(.invalidArgument, "randint: high (\(high)) must be greater than low (\(low))")
        }
        let host = try Tensor(zerosOnCPU: shape, dtype: dtype, for: "randint")
        generator.fillIntegers(host, low: Int64(low), high: Int64(high))
        return try host.placed(on: device)
    }

    /// A host tensor of `shape` (checked, and allocated without trapping), filled by `fill`,
    /// then placed on `device`.
    private static func random(_ op: String, _ shape: [Int], _ dtype: DType, _ device: Device?,
                               _ fill: (Tensor) -> Void) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): dtype must be floating point, got \(dtype)")
        }
        let host = try Tensor(zerosOnCPU: shape, dtype: dtype, for: op)
        fill(host)
        return try host.placed(on: device)
    }

    /// Moves a host-made tensor to `device`, or to the default device of the active backends.
    func placed(on device: Device?) throws -> Tensor {
        let target = try device ?? Runtime.activePriority().defaultDevice
        return try to(target)
    }
}
