import SwiftTorch
import Testing

// Sizes that come from users: shapes whose element or byte counts overflow an Int, lengths
// past the end, Double-to-Int conversions, window geometry, allocations no machine can
// give, and negative sizes. Each of these stopped the process once (a trap in Swift's
// arithmetic or allocation). They run as exit tests, in a child process, so that a
// regression fails its own test instead of killing the whole run; the child checks that
// the call throws the right kind of error naming the operator and the shape.

/// One call that must throw, never trap: what it is, the error kind, and words its message
/// must hold. Cases are named so that an exit test can carry one into its child process.
enum SizeTrigger: String, CaseIterable, Codable, Sendable, CustomTestStringConvertible {
    // Element counts that overflow an Int.
    case zerosOverflow, onesOverflow, fullOverflow, randOverflow, randnOverflow, randintOverflow, eyeOverflow
    case valuesWithOverflowingShape
    case reshapeOverflow, reshapeInferredOverflow, expandOverflow, expandOverflowThenSum, broadcastOverflow
    case catOverflow
    // Lengths and conversions.
    case narrowMaxLength, narrowMaxStart, arangeBeyondInt, arangeInfiniteCount, linspaceBytesOverflow, oneHotOfInt64Max
    // Window geometry.
    case convHugePadding, convHugeDilation, poolHugePadding, convGroupsOverflow
    // Allocations no machine could give.
    case fullBoolIntMax, zeros2To40, linearHuge, conv2dModuleHugeKernel, randHugeBytes
    // Arrays of every element, which Swift cannot fail to allocate softly.
    case referenceSumOfAHugeView, toArrayOfAHugeView
    // Negative sizes.
    case expandNegative, expandNegativeLeading, zerosNegative, viewNegative, linspaceNegative

    var testDescription: String { rawValue }

    /// The kind the error must have.
    var kind: TorchError.Kind {
        switch self {
        case .narrowMaxLength, .narrowMaxStart: .indexOutOfRange
        // A tensor to create whose elements an Int cannot count cannot be allocated either.
        case .zerosOverflow, .onesOverflow, .fullOverflow, .randOverflow, .randnOverflow, .randintOverflow, .eyeOverflow: .outOfMemory
        case .fullBoolIntMax, .zeros2To40, .linearHuge, .randHugeBytes, .linspaceBytesOverflow: .outOfMemory
        case .referenceSumOfAHugeView, .toArrayOfAHugeView: .outOfMemory
        case .valuesWithOverflowingShape, .convGroupsOverflow: .shapeMismatch
        default: .invalidArgument
        }
    }

    /// Words the message must contain: the operator and the sizes involved.
    var fragments: [String] {
        let huge = "[4294967296, 4294967296]"
        switch self {
        case .zerosOverflow, .onesOverflow, .fullOverflow: return ["full", huge]
        case .randOverflow: return ["rand", huge]
        case .randnOverflow: return ["randn", huge]
        case .randintOverflow: return ["randint", huge]
        case .eyeOverflow: return ["eye", huge]
        case .valuesWithOverflowingShape: return ["Tensor(_:shape:)", huge]
        case .reshapeOverflow: return ["reshape", huge]
        case .reshapeInferredOverflow: return ["reshape", "4611686018427387904"]
        case .expandOverflow, .expandOverflowThenSum: return ["expand", huge]
        case .broadcastOverflow: return ["add", huge]
        case .catOverflow: return ["cat", "dimension 0"]
        case .narrowMaxLength: return ["narrow", "\(Int.max)"]
        case .narrowMaxStart: return ["narrow", "\(Int.max)"]
        case .arangeBeyondInt: return ["arange", "1e+30"]
        case .arangeInfiniteCount: return ["arange"]
        case .linspaceBytesOverflow: return ["linspace", "\(Int.max)"]
        case .oneHotOfInt64Max: return ["one_hot", "\(Int64.max)"]
        case .convHugePadding: return ["conv2d", "padding"]
        case .convHugeDilation: return ["conv2d", "\(1 << 62)"]
        case .poolHugePadding: return ["max_pool2d", "padding"]
        case .convGroupsOverflow: return ["conv2d", "groups"]
        case .fullBoolIntMax: return ["full", "\(Int.max) bytes"]
        case .zeros2To40: return ["full", "can't allocate memory", "\(1 << 42)"]
        case .linearHuge: return ["rand", "can't allocate memory", "\(1 << 42)"]
        case .conv2dModuleHugeKernel: return ["Conv2d", "[1, 4294967296, 4294967296]"]
        case .randHugeBytes: return ["randn", "can't allocate memory"]
        case .referenceSumOfAHugeView: return ["sum", "can't allocate memory", "reference backend"]
        case .toArrayOfAHugeView: return ["toArray", "[2147483648, 2147483648]"]
        case .expandNegative: return ["expand", "-5"]
        case .expandNegativeLeading: return ["expand", "-1"]
        case .zerosNegative: return ["full", "[3, -2]"]
        case .viewNegative: return ["Tensor(viewOf:)", "[-2]"]
        case .linspaceNegative: return ["linspace", "-4"]
        }
    }

    func run() throws {
        let big = 1 << 32
        switch self {
        case .zerosOverflow: _ = try Tensor.zeros([big, big])
        case .onesOverflow: _ = try Tensor.ones([big, big], dtype: .int64)
        case .fullOverflow: _ = try Tensor.full([big, big], 2)
        case .randOverflow: _ = try Tensor.rand([big, big])
        case .randnOverflow: _ = try Tensor.randn([big, big])
        case .randintOverflow: _ = try Tensor.randint(high: 3, [big, big])
        case .eyeOverflow: _ = try Tensor.eye(big, big)
        case .valuesWithOverflowingShape: _ = try Tensor([Float(1)], shape: [big, big])
        case .reshapeOverflow: _ = try Tensor.ones([4]).reshape([big, big])
        case .reshapeInferredOverflow: _ = try Tensor.zeros([0]).reshape([-1, 1 << 62, 4])
        case .expandOverflow: _ = try Tensor.ones([1, 1]).expand([big, big])
        case .expandOverflowThenSum: _ = try Tensor.ones([1]).expand([big, big]).sum()
        case .broadcastOverflow:
            _ = try Tensor.ones([1]).expand([big, 1]) + Tensor.ones([1]).expand([1, big])
        case .catOverflow:
            let half = try Tensor.ones([1]).expand([Int.max / 2 + 1])
            _ = try cat([half, half])
        case .narrowMaxLength: _ = try Tensor.ones([3]).narrow(dim: 0, start: 1, length: .max)
        case .narrowMaxStart: _ = try Tensor.ones([3]).narrow(dim: 0, start: .max, length: 1)
        case .arangeBeyondInt: _ = try Tensor.arange(0.0, 1e30)
        case .arangeInfiniteCount: _ = try Tensor.arange(-Double.greatestFiniteMagnitude, .greatestFiniteMagnitude)
        case .linspaceBytesOverflow: _ = try Tensor.linspace(0, 1, steps: .max)
        case .oneHotOfInt64Max: _ = try oneHot(Tensor([Int64.max], shape: [1]))
        case .convHugePadding:
            _ = try conv2d(Tensor.ones([1, 1, 4, 4]), weight: Tensor.ones([1, 1, 2, 2]), padding: [Int.max, 0])
        case .convHugeDilation:
            _ = try conv2d(Tensor.ones([1, 1, 4, 4]), weight: Tensor.ones([1, 1, 3, 3]), dilation: [1 << 62, 1])
        case .poolHugePadding:
            _ = try maxPool2d(Tensor.ones([1, 1, 4, 4]), kernelSize: [Int.max, 2], padding: [Int.max / 2, 0])
        case .convGroupsOverflow:
            _ = try conv2d(Tensor.ones([1, 2, 4, 4]), weight: Tensor.ones([0, 2, 1, 1]), groups: Int.max)
        case .fullBoolIntMax: _ = try Tensor.full([.max], 0, dtype: .bool)
        case .zeros2To40: _ = try Tensor.zeros([1 << 40])
        // Layers keep a construction error for their first use (LayerConstruction.swift).
        case .linearHuge: try Linear(1 << 20, 1 << 20).checkConstructed()
        case .conv2dModuleHugeKernel: try Conv2d(1, 1, kernelSize: [big, big]).checkConstructed()
        case .randHugeBytes: _ = try Tensor.randn([1 << 61])
        case .referenceSumOfAHugeView:
            _ = try Runtime.withBackend("reference") { try Tensor.ones([1]).expand([1 << 31, 1 << 31]).sum() }
        case .toArrayOfAHugeView: _ = try Tensor.ones([1]).expand([1 << 31, 1 << 31]).toArray(of: Float.self)
        case .expandNegative: _ = try Tensor.ones([1]).expand([-5])
        case .expandNegativeLeading: _ = try Tensor.ones([1]).expand([-1, 1])
        case .zerosNegative: _ = try Tensor.zeros([3, -2])
        case .viewNegative: _ = try Tensor(viewOf: Tensor.ones([4]), shape: [-2], strides: [1], offset: 0)
        case .linspaceNegative: _ = try Tensor.linspace(0, 1, steps: -4)
        }
    }
}

@Suite("Sizes from users throw, never trap")
struct SizeSafetyTests {
    @Test(arguments: SizeTrigger.allCases)
    func throwsNamingTheOperatorAndTheSizes(_ trigger: SizeTrigger) async {
        await #expect(processExitsWith: .success) { [trigger] in
            let error = #expect(throws: TorchError.self) { try trigger.run() }
            #expect(error?.kind == trigger.kind, "\(error?.message ?? "no error")")
            for fragment in trigger.fragments {
                #expect(error?.message.contains(fragment) == true, "'\(fragment)' not in: \(error?.message ?? "no error")")
            }
        }
    }

    // Large but valid geometry keeps working: the checks refuse only what cannot exist.

    @Test func aHugeStrideGivesOneWindow() throws {
        let out = try conv2d(Tensor.ones([1, 1, 4, 4]), weight: Tensor.ones([1, 1, 2, 2]), stride: [Int.max, Int.max])
        #expect(out.shape == [1, 1, 1, 1])
        #expect(try out.item() == 4)
    }

    @Test func aHugeStrideWithCeilModeDropsTheWindowThatStartsPastTheInput() throws {
        let out = try avgPool2d(Tensor.ones([1, 1, 4, 4]), kernelSize: 2, stride: [Int.max, Int.max], ceilMode: true)
        #expect(out.shape == [1, 1, 1, 1])
        #expect(try out.item() == 1)
    }

    @Test func poolingLengthsMatchPyTorchWithAndWithoutCeilMode() throws {
        // torch.nn.functional.max_pool2d(torch.ones(1, 1, 5, 5), 2, 2, ceil_mode=...).shape[-1]: 2 and 3.
        #expect(try maxPool2d(Tensor.ones([1, 1, 5, 5]), kernelSize: 2).shape == [1, 1, 2, 2])
        #expect(try maxPool2d(Tensor.ones([1, 1, 5, 5]), kernelSize: 2, ceilMode: true).shape == [1, 1, 3, 3])
        // With padding 1 the last window of ceil mode would start in the right padding: 3, not 4.
        #expect(try maxPool2d(Tensor.ones([1, 1, 5, 5]), kernelSize: 2, padding: 1, ceilMode: true).shape == [1, 1, 3, 3])
    }

    @Test func anEmptyTensorMayHaveHugeOtherSizes() throws {
        let x = try Tensor.zeros([0, Int.max])
        #expect(x.count == 0)
        #expect(x.shape == [0, Int.max])
    }

    @Test func expandingToAHugeButCountableShapeIsAView() throws {
        let x = try Tensor.ones([1]).expand([1 << 31, 1 << 31])
        #expect(x.count == 1 << 62)
        #expect(x.strides == [0, 0])
        #expect(try x.narrow(dim: 0, start: (1 << 31) - 1, length: 1).narrow(dim: 1, start: 5, length: 2).sum().item() == 2)
    }

    @Test func sliceWithAHugeStepTakesTheFirstEntry() throws {
        let x = try Tensor([1.0, 2, 3, 4, 5])
        let picked = try x.slice(dim: 0, step: .max)
        #expect(picked.shape == [1])
        #expect(try picked.toArray(of: Double.self) == [1])
        #expect(try x.slice(dim: 0, start: 1, step: 3).toArray(of: Double.self) == [2, 5])
    }

    @Test func narrowAtTheEndWithLengthZeroIsEmpty() throws {
        let x = try Tensor([1.0, 2, 3]).narrow(dim: 0, start: 3, length: 0)
        #expect(x.shape == [0])
    }

    @Test func arangeCountsAreRoundedUpAsInPyTorch() throws {
        #expect(try Tensor.arange(0.0, 1.0, step: 0.3).count == 4)
        #expect(try Tensor.arange(0, 10, step: 3).toArray(of: Int.self) == [0, 3, 6, 9])
    }

    @Test func oneHotOfASmallClassStillWorks() throws {
        let out = try oneHot(Tensor([Int64(2)], shape: [1]))
        #expect(out.shape == [1, 3])
        #expect(try out.toArray(of: Int.self) == [0, 0, 1])
    }
}

@Suite("Negative sizes")
struct NegativeSizeTests {
    /// Printing the tensor that `expand([-5])` used to accept trapped; now the expand throws.
    @Test func expandToANegativeSizeThrowsBeforeAnythingCanPrintIt() async {
        await #expect(processExitsWith: .success) {
            let expanded = try? Tensor.ones([1]).expand([-5])
            #expect(expanded == nil)
            print(expanded.map(String.init(describing:)) ?? "no tensor")
        }
    }

    @Test func expandKeepsASizeWithMinusOne() throws {
        let x = try Tensor([[1.0], [2.0]]).expand([-1, 3])
        #expect(x.shape == [2, 3])
        #expect(try x.toArray(of: Double.self) == [1, 1, 1, 2, 2, 2])
    }

    @Test(arguments: [[-1], [2, -3], [-7, 0]])
    func everyCreationFunctionRejectsNegativeSizes(_ shape: [Int]) {
        let calls: [(String, () throws -> Tensor)] = [
            ("zeros", { try Tensor.zeros(shape) }), ("ones", { try Tensor.ones(shape) }),
            ("full", { try Tensor.full(shape, 1) }), ("rand", { try Tensor.rand(shape) }),
            ("randn", { try Tensor.randn(shape) }), ("randint", { try Tensor.randint(high: 2, shape) }),
        ]
        for (name, call) in calls {
            let error = #expect(throws: TorchError.self, "\(name)") { try call() }
            #expect(error?.kind == .invalidArgument, "\(name)")
            #expect(error?.message.contains(describe(shape: shape)) == true, "\(name): \(error?.message ?? "")")
        }
    }

    @Test func reshapeRejectsSizesBelowMinusOne() {
        let error = #expect(throws: TorchError.self) { try Tensor.ones([4]).reshape([-2, -2]) }
        #expect(error?.kind == .invalidArgument)
    }
}
