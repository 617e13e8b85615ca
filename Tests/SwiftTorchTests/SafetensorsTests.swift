import Foundation
import SwiftTorch
import Testing

// Safetensors: what SwiftTorch writes reads back exactly, a file PyTorch wrote loads and
// computes PyTorch's numbers, a damaged file is an `.io` error (never a crash), and a save
// that fails leaves what was on disk untouched.

/// A fresh folder under the system's temporary folder, removed after `body`.
func withDataTestFolder(_ body: (URL) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(folder)
}

/// Bytes of a safetensors file with the given header JSON and data section.
func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    let json = Array(header.utf8)
    let length = UInt64(json.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + json + data
}

private func resource(_ name: String, _ ext: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources"))
}

@Suite("Safetensors")
struct SafetensorsTests {
    @Test func roundTripKeepsDTypesShapesAndValues() throws {
        try withDataTestFolder { folder in
            let tensors: [String: Tensor] = [
                "f32": try Tensor([1.5, -2.25, 3e-8, .infinity, 5, 6], shape: [2, 3], dtype: .float32),
                "f64": try Tensor([0.1, 1e300, -7], shape: [3], dtype: .float64),
                "i32": try Tensor([Int32.min, -1, 0, Int32.max], shape: [2, 2]),
                "i64": try Tensor([Int64.min, 42, Int64.max], shape: [3, 1, 1]),
                "bool": try Tensor([true, false, true], shape: [3]),
                "scalar": try Tensor(2.5, dtype: .float64),
                "empty": try Tensor([Float](), shape: [0, 4]),
            ]
            let url = folder.appendingPathComponent("all.safetensors")
            try Safetensors.save(tensors, to: url)
            // Wider dtypes first, then by name, so every tensor's bytes are aligned.
            #expect(try SafetensorsReader(contentsOf: url).names == ["f64", "i64", "scalar", "empty", "f32", "i32", "bool"])
            let loaded = try Safetensors.load(from: url)
            #expect(Set(loaded.keys) == Set(tensors.keys))
            for (name, original) in tensors {
                let copy = try #require(loaded[name])
                #expect(copy.dtype == original.dtype, "\(name)")
                #expect(copy.shape == original.shape, "\(name)")
                if original.dtype.isFloatingPoint {
                    #expect(try copy.toArray(of: Double.self) == original.toArray(of: Double.self), "\(name)")
                } else {
                    #expect(try copy.toArray(of: Int64.self) == original.toArray(of: Int64.self), "\(name)")
                }
            }
        }
    }

    @Test func nonContiguousViewsAreSavedInRowMajorOrder() throws {
        try withDataTestFolder { folder in
            let base = try Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float32)
            let transposed = try base.t()                               // [4, 3], strides [1, 4]
            let strided = try base.slice(dim: 1, start: 1, step: 2)     // [3, 2], every other column
            let row = try base[1]                                        // a view with an offset
            let url = folder.appendingPathComponent("views.safetensors")
            try Safetensors.save([("t", transposed), ("s", strided), ("r", row)], to: url)
            let loaded = try Safetensors.load(from: url)
            #expect(try loaded["t"]?.toArray(of: Double.self) == transposed.toArray(of: Double.self))
            #expect(loaded["t"]?.shape == [4, 3])
            #expect(try loaded["s"]?.toArray(of: Double.self) == [1, 3, 5, 7, 9, 11])
            #expect(try loaded["r"]?.toArray(of: Double.self) == [4, 5, 6, 7])
        }
    }

    @Test func metadataAndOrderOfPairsAreKept() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("meta.safetensors")
            let one = try Tensor([1.0], shape: [1])
            try Safetensors.save([("zeta", one), ("alpha", one), ("mid \"quoted\"", one)], to: url,
                                 metadata: ["format": "pt", "note": "line\nbreak"])
            let reader = try SafetensorsReader(contentsOf: url)
            #expect(reader.names == ["zeta", "alpha", "mid \"quoted\""])
            #expect(reader.metadata == ["format": "pt", "note": "line\nbreak"])
            #expect(reader.info("alpha")?.shape == [1])
            #expect(reader.info("missing") == nil)
            #expect(throws: TorchError.self) { try reader.tensor(named: "missing") }
        }
    }

    @Test func writerRejectsReservedAndDuplicateNames() throws {
        var writer = SafetensorsWriter()
        let t = try Tensor([1.0], shape: [1])
        try writer.add("a", t)
        #expect(throws: TorchError.self) { try writer.add("a", t) }
        #expect(throws: TorchError.self) { try writer.add("__metadata__", t) }
    }

    @Test func pytorchFileHasTheMLPsParameters() throws {
        let reader = try SafetensorsReader(contentsOf: resource("mlp", "safetensors"))
        #expect(Set(reader.names) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(reader.info("0.weight")?.shape == [32, 64])
        #expect(reader.info("0.bias")?.shape == [32])
        #expect(reader.info("2.weight")?.shape == [10, 32])
        #expect(reader.info("2.bias")?.shape == [10])
        #expect(reader.info("0.weight")?.dtype == .float32)
    }

    @Test func pytorchMLPReproducesItsLogits() throws {
        let p = try Safetensors.load(from: resource("mlp", "safetensors"))
        struct Stored: Decodable { let shape: [Int]; let data: [Double] }
        struct Expected: Decodable { let input: Stored; let logits: Stored }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: resource("mlp-expected", "json")))
        let x = try Tensor(expected.input.data, shape: expected.input.shape, dtype: .float32)
        let (w0, b0) = (try #require(p["0.weight"]), try #require(p["0.bias"]))
        let (w2, b2) = (try #require(p["2.weight"]), try #require(p["2.bias"]))
        let hidden = try linear(x, weight: w0, bias: b0).relu()
        let logits = try linear(hidden, weight: w2, bias: b2)
        #expect(logits.shape == expected.logits.shape)
        let got = try logits.toArray(of: Double.self)
        let worst = zip(got, expected.logits.data).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "largest difference from PyTorch's logits: \(worst)")
    }

    /// Each damaged file and the words its error must contain.
    static let damagedFiles: [(String, [UInt8], String)] = {
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#
        let data = [UInt8](repeating: 1, count: 16)
        let valid = safetensorsBytes(header: good, data: data)
        var hugeLength = valid
        hugeLength[0..<8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        func with(_ header: String) -> [UInt8] { safetensorsBytes(header: header, data: data) }
        return [
            ("shorter than the length field", [UInt8](valid.prefix(5)), "too short"),
            ("header length beyond the file", hugeLength, "beyond the end"),
            ("cut inside the header", [UInt8](valid.prefix(40)), "beyond the end"),
            ("cut inside the data", [UInt8](valid.dropLast(3)), "outside"),
            ("extra bytes after the data", valid + [0, 0, 0, 0], "cover only"),
            ("bad JSON", with(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":"#), "not valid"),
            ("JSON that is not an object", with("[1, 2, 3]"), "not valid"),
            ("missing field", with(#"{"a":{"dtype":"F32","shape":[4]}}"#), "data_offsets"),
            ("unknown dtype", with(#"{"a":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}}"#), "F16"),
            ("offsets out of bounds", with(#"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#), "outside"),
            ("offsets reversed", with(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}}"#), "outside"),
            ("overlapping tensors", with(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#), "overlap"),
            ("a gap between tensors", with(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#), "belong to no tensor"),
            ("shape and byte count disagree", with(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#), "needs 12 bytes"),
            ("negative size", with(#"{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}"#), "negative"),
            ("overflowing shape", with(#"{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#), "too large"),
        ]
    }()

    @Test(arguments: damagedFiles.indices)
    func damagedFileIsAnIOErrorNamingFileAndProblem(_ i: Int) throws {
        let (what, bytes, problem) = Self.damagedFiles[i]
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("damaged.safetensors")
            try Data(bytes).write(to: url)
            let error = #expect(throws: TorchError.self, "\(what)") { try Safetensors.load(from: url) }
            #expect(error?.kind == .io, "\(what)")
            #expect(error?.message.contains(url.path) == true, "\(what): \(error?.message ?? "")")
            #expect(error?.message.contains(problem) == true, "\(what): \(error?.message ?? "")")
        }
    }

    @Test func missingFileIsAnIOError() throws {
        let url = URL(fileURLWithPath: "/nonexistent/swifttorch/model.safetensors")
        let error = #expect(throws: TorchError.self) { try Safetensors.load(from: url) }
        #expect(error?.kind == .io)
        #expect(error?.message.contains(url.path) == true)
    }

    @Test func saveReplacesAnExistingFile() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("model.safetensors")
            try Safetensors.save(["w": try Tensor([1.0, 2.0], shape: [2])], to: url)
            try Safetensors.save(["w": try Tensor([3.0], shape: [1])], to: url)
            #expect(try Safetensors.load(from: url)["w"]?.toArray(of: Double.self) == [3])
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
        }
    }

    @Test func failedSaveLeavesTheExistingFileUnchanged() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("model.safetensors")
            try Safetensors.save(["w": try Tensor([1.0, 2.0], shape: [2])], to: url)
            let before = try Data(contentsOf: url)
            let t = try Tensor([9.0], shape: [1])
            #expect(throws: TorchError.self) { try Safetensors.save([("w", t), ("w", t)], to: url) }
            #expect(try Data(contentsOf: url) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
        }
    }

    @Test func failedRenameLeavesNoTemporaryFileBehind() throws {
        try withDataTestFolder { folder in
            // A non-empty folder where the file should go: the final rename fails after the
            // whole temporary file was written.
            let url = folder.appendingPathComponent("model.safetensors")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            try Data("keep".utf8).write(to: url.appendingPathComponent("inside.txt"))
            let error = #expect(throws: TorchError.self) {
                try Safetensors.save(["w": try Tensor([1.0], shape: [1])], to: url)
            }
            #expect(error?.kind == .io)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
            #expect(try Data(contentsOf: url.appendingPathComponent("inside.txt")) == Data("keep".utf8))
        }
    }

    @Test func saveIntoAMissingFolderIsAnIOError() throws {
        let url = URL(fileURLWithPath: "/nonexistent/swifttorch/model.safetensors")
        let error = #expect(throws: TorchError.self) { try Safetensors.save(["w": try Tensor([1.0], shape: [1])], to: url) }
        #expect(error?.kind == .io)
    }
}
