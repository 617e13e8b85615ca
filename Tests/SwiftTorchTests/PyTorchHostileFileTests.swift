import Foundation
import Testing
@testable import SwiftTorch

// Hostile and damaged `.pt` files are errors, never crashes: truncated and damaged zips,
// storages shorter than their tensors, sizes that cannot be, globals outside the allow-list,
// opcodes the reader does not run, and pickles built to exhaust the stack or the memory.

/// Pickle bytes written by hand, opcode by opcode (protocol 2, as torch.save writes).
struct HandPickle {
    var bytes: [UInt8] = [0x80, 2]

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func int(_ i: Int32) { bytes += [0x4A] + (0..<4).map { UInt8(truncatingIfNeeded: i >> (8 * Int32($0))) } }
    mutating func long(_ i: Int) { bytes += [0x8A, 8] + (0..<8).map { UInt8(truncatingIfNeeded: i >> (8 * $0)) } }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes += [0x58] + (0..<4).map { UInt8(truncatingIfNeeded: utf8.count >> (8 * $0)) } + utf8
    }
    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }
    mutating func tuple(_ values: [Int]) {
        op(0x28)
        for v in values { long(v) }
        op(0x74)
    }

    /// `_rebuild_tensor_v2` over float32 storage `key` of `count` elements with this geometry.
    mutating func tensor(key: String = "0", count: Int, offset: Int = 0, shape: [Int], strides: [Int], storage: String = "FloatStorage") {
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)
        op(0x28)
        string("storage")
        global("torch", storage)
        string(key)
        string("cpu")
        long(count)
        op(0x74)
        op(0x51)  // BINPERSID
        long(offset)
        tuple(shape)
        tuple(strides)
        op(0x89)  // NEWFALSE
        global("collections", "OrderedDict")
        op(0x29)
        op(0x52)
        op(0x74)
        op(0x52)
    }

    /// `{"x": <what body pushes>}` and STOP.
    static func dict(_ body: (inout HandPickle) -> Void) -> HandPickle {
        var p = HandPickle()
        p.op(0x7D)
        p.string("x")
        body(&p)
        p.op(0x73)  // SETITEM
        p.op(0x2E)
        return p
    }
}

/// A `.pt` file of `pickle` and `storages` (key to bytes), zipped as torch.save does.
func ptFile(_ pickle: HandPickle, storages: [String: [UInt8]] = [:]) throws -> [UInt8] {
    try zipArchive(folder: "hostile", records: [("data.pkl", .bytes(pickle.bytes))]
        + storages.sorted { $0.key < $1.key }.map { ("data/\($0.key)", .bytes($0.value)) })
}

/// Reading `bytes` throws a TorchError whose message contains `text`.
func expectRefused(_ bytes: [UInt8], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let value = try decodePyTorch(bytes, file: "hostile.pt")
        Issue.record("read without an error: \(value.namedTensors().map(\.name))", sourceLocation: sourceLocation)
    } catch let error as TorchError {
        #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("not a TorchError: \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("PyTorch .pt files: hostile files throw")
struct PyTorchHostileFileTests {
    static let sixFloats = [UInt8](repeating: 0, count: 24)

    @Test("a hand-made file reads, so the refusals below are about what each one changes")
    func theBaselineReads() throws {
        let file = try ptFile(.dict { $0.tensor(count: 6, shape: [2, 3], strides: [3, 1]) }, storages: ["0": Self.sixFloats])
        #expect(try decodePyTorch(file, file: "ok.pt")["x"]?.tensorValue?.shape == [2, 3])
    }

    @Test("every truncation of a valid file throws")
    func truncatedFilesThrow() throws {
        let value: PyTorchValue = .dict(["w": .tensor(try Tensor([1, 2, 3, 4], shape: [2, 2], dtype: .float32)), "n": .int(3)])
        for bytes in [try encodePyTorch(value, folder: "t"), try [UInt8](Data(contentsOf: interopFixture("views.pt")))] {
            for length in stride(from: 0, to: bytes.count, by: 5) {
                #expect(throws: TorchError.self, "cut at \(length) of \(bytes.count) bytes") {
                    try decodePyTorch(Array(bytes[..<length]), file: "cut.pt")
                }
            }
        }
    }

    @Test("a damaged byte in a storage fails its CRC")
    func damagedRecordFailsItsChecksum() throws {
        var bytes = try ptFile(.dict { $0.tensor(count: 6, shape: [6], strides: [1]) }, storages: ["0": Array(1...24)])
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: Array(1...24)) })
        bytes[at + 5] ^= 0xFF
        expectRefused(bytes, "CRC-32")
    }

    @Test("a view reaching past its storage throws")
    func storageShorterThanItsView() throws {
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [3, 3], strides: [3, 1]) }, storages: ["0": Self.sixFloats]), "does not fit")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, offset: 5, shape: [2], strides: [1]) }, storages: ["0": Self.sixFloats]), "does not fit")
        // The record itself shorter than the element count its id claims.
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [6], strides: [1]) }, storages: ["0": [0, 0, 0, 0]]), "holds 4 bytes")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [6], strides: [1]) }), "no record")
    }

    @Test("huge and negative sizes, strides, offsets and counts throw")
    func impossibleSizes() throws {
        let storages = ["0": Self.sixFloats]
        expectRefused(try ptFile(.dict { $0.tensor(count: Int.max / 2, shape: [1], strides: [1]) }, storages: storages), "past Int.max")
        expectRefused(try ptFile(.dict { $0.tensor(count: 1 << 40, shape: [1], strides: [1]) }, storages: storages), "holds 24 bytes")
        expectRefused(try ptFile(.dict { $0.tensor(count: -6, shape: [1], strides: [1]) }, storages: storages), "claims -6 elements")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [1 << 62, 1 << 62], strides: [1, 1]) }, storages: storages), "does not fit")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [-1, 2], strides: [2, 1]) }, storages: storages), "does not fit")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [2], strides: [-1]) }, storages: storages), "does not fit")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, offset: -1, shape: [2], strides: [1]) }, storages: storages), "does not fit")
        expectRefused(try ptFile(.dict { $0.tensor(count: 6, shape: [2, 3], strides: [1]) }, storages: storages), "2 sizes")
    }

    @Test("globals outside the allow-list are refused by name, and nothing runs", arguments: [
        ("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("torch", "load"), ("torch._utils", "_rebuild_qtensor"),
    ])
    func unknownGlobals(_ module: String, _ name: String) throws {
        var p = HandPickle()
        p.global(module, name)
        p.op(0x28)
        p.string("echo pwned")
        p.op(0x74)
        p.op(0x52)
        p.op(0x2E)
        expectRefused(try ptFile(p), "refused global '\(module).\(name)'")
        // STACK_GLOBAL, protocol 4's spelling, is checked the same way.
        var q = HandPickle()
        q.string(module)
        q.string(name)
        q.op(0x93)
        q.op(0x2E)
        expectRefused(try ptFile(q), "refused global '\(module).\(name)'")
    }

    @Test("opcodes outside the subset are refused by value")
    func unknownOpcodes() throws {
        for code: UInt8 in [0x69 /* INST */, 0x6F /* OBJ */, 0x81 /* NEWOBJ */, 0x30 /* POP */, 0x42 /* BINBYTES */, 0xFF] {
            var p = HandPickle()
            p.op(code)
            p.op(0x2E)
            expectRefused(try ptFile(p), "opcode 0x\(String(code, radix: 16))")
        }
    }

    @Test("a list that contains itself throws instead of recursing forever")
    func selfReferenceThrows() throws {
        var p = HandPickle()
        p.op(0x5D)                  // EMPTY_LIST
        p.bytes += [0x71, 0]        // BINPUT 0
        p.bytes += [0x68, 0]        // BINGET 0
        p.op(0x61)                  // APPEND: the list holds itself
        p.op(0x2E)
        expectRefused(try ptFile(p), "nested deeper")
    }

    @Test("a memo bomb (each tuple holding the previous one twice) throws before it fills the memory")
    func memoBombThrows() throws {
        var p = HandPickle()
        p.op(0x5D)
        for _ in 0..<64 {
            p.bytes += [0x71, 0, 0x68, 0]   // BINPUT 0, BINGET 0: the value twice on the stack
            p.op(0x86)                      // TUPLE2 of the two references: 2^64 leaves at the end
        }
        p.op(0x2E)
        expectRefused(try ptFile(p), "more than")
    }

    @Test("deep nesting is bounded")
    func deepNestingThrows() throws {
        var p = HandPickle()
        for _ in 0..<100_000 { p.op(0x5D) }
        for _ in 0..<(100_000 - 1) { p.op(0x61) }
        p.op(0x2E)
        expectRefused(try ptFile(p), "nested deeper")
    }

    @Test("malformed pickles and archives throw with what was wrong")
    func malformedFiles() throws {
        expectRefused(Array("not a zip at all".utf8), "not a zip archive")
        expectRefused([0x80, 2, 0x7D, 0x2E], "not a zip archive")  // A bare, pre-1.6 pickle.
        expectRefused(try zipArchive(folder: "x", records: [("other", .text("1"))]), "no <folder>/data.pkl")
        var noStop = HandPickle()
        noStop.op(0x7D)
        expectRefused(try ptFile(noStop), "ends without STOP")
        var twoValues = HandPickle()
        twoValues.op(0x4E)
        twoValues.op(0x4E)
        twoValues.op(0x2E)
        expectRefused(try ptFile(twoValues), "exactly one value")
        var badKey = HandPickle.dict { $0.op(0x4E) }
        badKey.bytes[3] = 0x4E  // The key "x" becomes None, with its text left as garbage after it.
        expectRefused(try ptFile(badKey), "byte")
        var floatKey = HandPickle()
        floatKey.op(0x7D)
        floatKey.bytes += [0x47] + [UInt8](repeating: 0, count: 8)
        floatKey.op(0x4E)
        floatKey.op(0x73)
        floatKey.op(0x2E)
        expectRefused(try ptFile(floatKey), "dict key of type float")
        var emptyGet = HandPickle()
        emptyGet.bytes += [0x68, 9, 0x2E]
        expectRefused(try ptFile(emptyGet), "memo entry 9")
        var longInt = HandPickle()
        longInt.bytes += [0x8A, 9] + [UInt8](repeating: 1, count: 9) + [0x2E]
        expectRefused(try ptFile(longInt), "does not fit in 64 bits")
    }
}
