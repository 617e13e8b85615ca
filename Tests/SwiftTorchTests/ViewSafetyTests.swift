import Foundation
import SwiftTorch
import Testing

// Views a user or a file describes are checked against their storage: every element they
// reach must lie inside it. An unchecked view once let `copy_` write megabytes past a
// 64-byte buffer.

/// Why a view cannot be made, with the error kind and the words its message must hold.
enum ViewRejection: Sendable {
    /// An element lies past the storage's end.
    case outside
    /// Its strides step past `Int.max`, which strided loops would overflow on.
    case unaddressable
    /// Not a geometry at all: a negative offset, stride or size, a rank mismatch, too many elements.
    case malformed

    var kind: TorchError.Kind { self == .malformed ? .invalidArgument : .indexOutOfRange }

    func fragment(storageCount: Int) -> String {
        switch self {
        case .outside: "outside its storage of \(storageCount) float32 elements"
        case .unaddressable: "steps past what an Int can address"
        case .malformed: "Tensor(storage:)"
        }
    }
}

/// A view geometry over a storage of `storageCount` float32 elements, and why it must be
/// refused (nil: it is valid).
struct ViewGeometry: Sendable, CustomTestStringConvertible {
    var shape: [Int], strides: [Int], offset: Int, storageCount: Int = 8
    var rejection: ViewRejection?
    var testDescription: String { "shape \(shape), strides \(strides), offset \(offset) over \(storageCount)" }
}

@Suite("Checked views")
struct ViewSafetyTests {
    static let rejected: [ViewGeometry] = [
        ViewGeometry(shape: [9], strides: [1], offset: 0, rejection: .outside),         // one element past the end
        ViewGeometry(shape: [2], strides: [1], offset: 7, rejection: .outside),         // offset plus extent past the end
        ViewGeometry(shape: [2, 2], strides: [4, 3], offset: 1, rejection: .outside),   // last element 1 + 4 + 3 = 8
        ViewGeometry(shape: [1], strides: [1], offset: 8, rejection: .outside),         // offset at the end
        ViewGeometry(shape: [2], strides: [1 << 61], offset: 0, rejection: .outside),   // stride far past the end
        ViewGeometry(shape: [1 << 40], strides: [0], offset: 0, storageCount: 0, rejection: .outside),  // empty storage
        ViewGeometry(shape: [3, 3], strides: [Int.max, Int.max], offset: 0, rejection: .unaddressable),
        ViewGeometry(shape: [2], strides: [1], offset: Int.max, rejection: .unaddressable),
        ViewGeometry(shape: [2], strides: [1 << 62], offset: 0, rejection: .unaddressable),
        // Never used to address, but a loop steps once past it (PyTorch accepts this one).
        ViewGeometry(shape: [1, 2], strides: [Int.max, 1], offset: 6, rejection: .unaddressable),
        ViewGeometry(shape: [2], strides: [1], offset: -1, rejection: .malformed),
        ViewGeometry(shape: [2], strides: [-1], offset: 1, rejection: .malformed),
        ViewGeometry(shape: [-2], strides: [1], offset: 0, rejection: .malformed),
        ViewGeometry(shape: [2, 2], strides: [1], offset: 0, rejection: .malformed),
        ViewGeometry(shape: [1 << 32, 1 << 32], strides: [0, 0], offset: 0, rejection: .malformed),
    ]

    static let inside: [ViewGeometry] = [
        ViewGeometry(shape: [8], strides: [1], offset: 0),
        ViewGeometry(shape: [2, 2], strides: [4, 3], offset: 0),           // last element 7
        ViewGeometry(shape: [3], strides: [0], offset: 7),                 // broadcast of the last element
        ViewGeometry(shape: [0], strides: [1], offset: 100),               // empty: reaches nothing
        ViewGeometry(shape: [1, 2], strides: [100, 1], offset: 6),         // a size-1 dimension's stride is never used
        ViewGeometry(shape: [], strides: [], offset: 3),
    ]

    private func storage(_ g: ViewGeometry) throws -> Storage {
        let s = try Storage.cpu(byteCount: g.storageCount * 4)
        for i in 0..<g.storageCount { s.data.storeBytes(of: Float(i), toByteOffset: i * 4, as: Float.self) }
        return s
    }

    @Test(arguments: rejected)
    func aViewThatIsNotInsideItsStorageThrows(_ g: ViewGeometry) throws {
        let s = try storage(g)
        let error = #expect(throws: TorchError.self) {
            try Tensor(storage: s, shape: g.shape, strides: g.strides, offset: g.offset, dtype: .float32)
        }
        let rejection = try #require(g.rejection)
        #expect(error?.kind == rejection.kind)
        #expect(error?.message.hasPrefix("Tensor(storage:)") == true)
        let fragment = rejection.fragment(storageCount: g.storageCount)
        #expect(error?.message.contains(fragment) == true, "'\(fragment)' not in: \(error?.message ?? "")")
    }

    @Test(arguments: inside)
    func aViewInsideItsStorageReadsItsElements(_ g: ViewGeometry) throws {
        let view = try Tensor(storage: try storage(g), shape: g.shape, strides: g.strides, offset: g.offset, dtype: .float32)
        // The expected values are the storage offsets, since element i holds i.
        var expected: [Double] = []
        view.forEachElementOffset { expected.append(Double($0)) }
        #expect(try view.toArray(of: Double.self) == expected)
    }

    @Test(arguments: rejected)
    func viewOfAnotherTensorIsCheckedTheSameWay(_ g: ViewGeometry) throws {
        let base = try Tensor.zeros([g.storageCount])
        let error = #expect(throws: TorchError.self) { try Tensor(viewOf: base, shape: g.shape, strides: g.strides, offset: g.offset) }
        #expect(error?.kind == g.rejection?.kind)
        #expect(error?.message.hasPrefix("Tensor(viewOf:)") == true)
    }

    @Test func aViewIsCheckedInBytesOfItsOwnDtype() throws {
        // 16 bytes hold four float32 elements but only two float64 ones.
        let s = try Storage.cpu(byteCount: 16)
        _ = try Tensor(storage: s, shape: [4], strides: [1], offset: 0, dtype: .float32)
        #expect(throws: TorchError.self) { try Tensor(storage: s, shape: [3], strides: [1], offset: 0, dtype: .float64) }
    }

    /// `copy_` into a view that reaches outside its storage once wrote megabytes past a
    /// 64-byte block; now the view cannot be made, in this process or any other.
    @Test func copyIntoAViewBeyondItsStorageCannotHappen() async {
        await #expect(processExitsWith: .success) {
            let s = try Storage.cpu(byteCount: 64)
            let error = #expect(throws: TorchError.self) {
                let view = try Tensor(storage: s, shape: [1 << 20], strides: [1], offset: 0, dtype: .float32)
                _ = try view.copy_(Tensor.ones([1 << 20]))
            }
            #expect(error?.kind == .indexOutOfRange)
        }
    }

    @Test func aStridedSliceOfANarrowedViewIsAValidView() throws {
        let x = try Tensor([1.0, 2, 3, 4, 5, 6]).narrow(dim: 0, start: 1, length: 5)
        // as_strided below slice: offset 1 and stride 2, inside the storage of six.
        #expect(try x.slice(dim: 0, step: 2).toArray(of: Double.self) == [2, 4, 6])
    }

    @Test func aConformanceCaseWhoseStridesLeaveItsStorageIsAnErrorNotAView() throws {
        let json = #"{"dtype": "float32", "shape": [4, 4], "strides": [4, 1], "offset": 0, "storage": [1, 2, 3, 4]}"#
        let tensor = try JSONDecoder().decode(CaseTensor.self, from: Data(json.utf8))
        let error = #expect(throws: TorchError.self) { try tensor.makeTensor() }
        #expect(error?.kind == .indexOutOfRange)
        #expect(error?.message.contains("[4, 4]") == true)
    }

    @Test func aConformanceCaseWithNegativeStridesIsAnError() throws {
        let json = #"{"dtype": "int64", "shape": [2], "strides": [-1], "offset": 1, "storage": [1, 2]}"#
        let tensor = try JSONDecoder().decode(CaseTensor.self, from: Data(json.utf8))
        #expect(throws: TorchError.self) { try tensor.makeTensor() }
    }

    @Test func aConformanceCaseInsideItsStorageStillBuildsItsView() throws {
        let json = #"{"dtype": "float32", "shape": [2, 2], "strides": [1, 2], "offset": 1, "storage": [0, 1, 2, 3, 4]}"#
        let tensor = try JSONDecoder().decode(CaseTensor.self, from: Data(json.utf8)).makeTensor()
        #expect(try tensor.toArray(of: Double.self) == [1, 3, 2, 4])
    }
}
