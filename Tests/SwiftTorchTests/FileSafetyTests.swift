import Foundation
import Testing
@testable import SwiftTorch

// Files that lie: gzip data that inflates past what its header promises, headers whose
// sizes cannot exist, metadata the reader would refuse, and the durability of a save.

/// `count` zero bytes after `prefix`, gzip-compressed: a small file that inflates to a large one.
private func gzipBomb(prefix: [UInt8], zeros count: Int) throws -> [UInt8] {
    try Gzip.compress(prefix + [UInt8](repeating: 0, count: count), level: 9)
}

@Suite("File safety")
struct FileSafetyTests {
    @Test func gzipStopsAtTheLimitItIsGiven() throws {
        let bomb = try gzipBomb(prefix: [1, 2, 3], zeros: 4 << 20)
        #expect(bomb.count < 10_000)
        let error = #expect(throws: TorchError.self) { try Gzip.decompress(bomb, name: "bomb.gz", limit: 1000) }
        #expect(error?.kind == .io)
        #expect(error?.message == "bomb.gz: the gzip data decompresses to more than 1000 bytes, the most expected of it; "
            + "the file is damaged or not what it claims to be")
        // Exactly the limit is fine, and a prefix inflates no further than asked.
        #expect(try Gzip.decompress(bomb, limit: 3 + (4 << 20)).count == 3 + (4 << 20))
        #expect(try Gzip.decompressedPrefix(bomb, count: 5) == [1, 2, 3, 0, 0])
        #expect(try Gzip.decompressedPrefix(Gzip.compress([7, 8]), count: 5) == [7, 8])
        // A limit above the hard cap is the hard cap.
        #expect(try Gzip.decompress(Gzip.compress([9]), limit: .max) == [9])
    }

    @Test func anMNISTGzipBombIsStoppedAtTheSizeItsHeaderDeclares() throws {
        try withDataTestFolder { folder in
            // A labels file whose header declares 3 labels, followed by 8 MB more.
            let url = folder.appendingPathComponent("train-labels-idx1-ubyte.gz")
            try Data(gzipBomb(prefix: idxBytes([3], [1, 2, 3]), zeros: 8 << 20)).write(to: url)
            try Data(Gzip.compress(idxBytes([3, 1, 1], [0, 0, 0]))).write(to: folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
            let error = #expect(throws: TorchError.self) { try MNIST.load(from: folder) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains("\(url.path): the gzip data decompresses to more than 11 bytes") == true, "\(error?.message ?? "")")
        }
    }

    @Test func aDigitsGzipBombIsStoppedAtThePlausibleSizeOfADigitsFile() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("digits.csv.gz")
            try Data(gzipBomb(prefix: [], zeros: Digits.maximumFileSize + 1)).write(to: url)
            let error = #expect(throws: TorchError.self) { try Digits.load(from: url) }
            #expect(error?.message.contains("decompresses to more than \(Digits.maximumFileSize) bytes") == true, "\(error?.message ?? "")")
        }
    }

    @Test func idxSizesThatMultiplyPastIntMaxBesideAZeroAreAnError() throws {
        let huge = 0xFFFF_FFFF
        for bytes in [idxBytes([0, huge, huge], []), try Gzip.compress(idxBytes([0, huge, huge], []))] {
            let error = #expect(throws: TorchError.self) { try IDXFile.decode(bytes, rank: 3, file: "images", kind: "images") }
            #expect(error?.message == "MNIST images file images: the header declares sizes [0, \(huge), \(huge)], too large to exist")
        }
        // An empty file of sizes that do exist is fine.
        #expect(try IDXFile.decode(idxBytes([0, 28, 28], []), rank: 3, file: "images", kind: "images").floatTensor(dividedBy: 255).shape == [0, 28, 28])
    }

    @Test func safetensorsShapesThatMultiplyPastIntMaxBesideAZeroAreAnError() throws {
        let header = #"{"t":{"dtype":"F32","shape":[0,4611686018427387904,4611686018427387904],"data_offsets":[0,0]}}"#
        let url = URL(fileURLWithPath: "/data/model.safetensors")
        let error = #expect(throws: TorchError.self) { try SafetensorsReader(bytes: safetensorsBytes(header: header, data: []), url: url) }
        #expect(error?.message == "safetensors file /data/model.safetensors: tensor 't' has shape [0, 4611686018427387904, 4611686018427387904], too large to exist")
    }

    @Test func theWriterRefusesMetadataTheReaderWouldRefuse() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("big.safetensors")
            let oversized = ["notes": String(decoding: [UInt8](repeating: UInt8(ascii: "x"), count: 100_000_000), as: UTF8.self)]
            let error = #expect(throws: TorchError.self) {
                try Safetensors.save(["w": Tensor.zeros([2])], to: url, metadata: oversized)
            }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message.hasPrefix("SafetensorsWriter: \(url.path) would not be readable, so it was not written: the header length ") == true)
            #expect(error?.message.hasSuffix("is over the 100000000-byte limit") == true)
            #expect(!FileManager.default.fileExists(atPath: url.path))
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(left.isEmpty)
        }
    }

    @Test func strangeButValidNamesAndMetadataRoundTrip() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("odd.safetensors")
            let names = ["", "quote\"back\\slash", "nul\u{0}tab\t", "emoji 🧪", "line\u{2028}separator"]
            let metadata = ["": "empty key", "nul\u{0}": "\u{1F}control", "é": "e\u{301}"]
            try Safetensors.save(Dictionary(uniqueKeysWithValues: try names.map { ($0, try Tensor([1.0], shape: [1])) }),
                                 to: url, metadata: metadata)
            let reader = try SafetensorsReader(contentsOf: url)
            #expect(Set(reader.names) == Set(names))
            #expect(reader.metadata == metadata)
        }
    }

    @Test func aSaveFlushesTheFileThenRenamesThenFlushesTheFolder() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("weights.bin")
            try Data("old".utf8).write(to: url)
            var steps: [(path: String, destination: String)] = []
            try writeFileAtomically(url, what: "test file", sync: { descriptor in
                let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")) ?? "?"
                steps.append((path, (try? String(contentsOf: url, encoding: .utf8)) ?? "?"))
                return fsync(descriptor)
            }) { sink in try sink.write(Array("new".utf8)) }
            #expect(steps.count == 2)
            // The temporary file is flushed while the destination still holds the old bytes...
            #expect(steps.first?.path.hasPrefix(folder.path + "/.weights.bin.") == true, "\(steps)")
            #expect(steps.first?.destination == "old")
            // ...and the folder after the rename put the new ones in place.
            #expect(steps.last?.path == folder.path)
            #expect(steps.last?.destination == "new")
        }
    }

    @Test func aFolderThatCannotBeFlushedIsAnErrorNamingIt() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("weights.bin")
            var calls = 0
            let error = #expect(throws: TorchError.self) {
                try writeFileAtomically(url, what: "test file", sync: { descriptor in
                    calls += 1
                    guard calls == 2 else { return fsync(descriptor) }
                    errno = EIO
                    return -1
                }) { sink in try sink.write([1, 2, 3]) }
            }
            #expect(error?.kind == .io)
            #expect(error?.message == "test file \(url.path): written, but flushing its folder \(folder.path) failed "
                + "(Input/output error); the new file may not survive a power cut")
        }
    }
}
