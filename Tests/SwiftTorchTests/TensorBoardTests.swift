import Foundation
import Testing
@testable import SwiftTorch

// TensorBoard: SummaryWriter's event files read back record by record with every CRC
// checked, each kind of value decodes as written, and, where Python's `tensorboard` package
// is installed, TensorBoard's own EventAccumulator reads the same scalars.

/// Every event of the one event file in `folder`, its CRCs checked.
func events(inFolder folder: URL) throws -> [Tensorboard_Event] {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("events.out.tfevents.") }
    try #require(files.count == 1, "one event file in \(folder.path), found \(files)")
    return try EventRecords.events(in: folder.appendingPathComponent(files[0]))
}

enum PythonTools {
    /// Whether `python3 -c "import MODULE"` succeeds.
    static func canImport(_ module: String) -> Bool {
        (try? runSubprocess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"]).status) == 0
    }
    static let python = canImport("zlib")
    static let tensorboard = canImport("tensorboard")
}

@Suite("TensorBoard event files")
struct TensorBoardTests {
    @Test("CRC-32C and its mask give TensorFlow's values")
    func checksums() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // A record of no data: the length 0 and the masked CRCs TensorFlow writes for it.
        #expect(EventRecords.frame([]) == [0, 0, 0, 0, 0, 0, 0, 0, 0x29, 0x03, 0x98, 0x07, 0xD8, 0xEA, 0x82, 0xA2])
    }

    @Test("scalars read back, after the file-version event, with their steps and wall times")
    func scalarsReadBack() throws {
        try withDataTestFolder { folder in
            let writer = try SummaryWriter(logDir: folder, maxQueue: 2)
            #expect(writer.eventFile.lastPathComponent.hasPrefix("events.out.tfevents."))
            for step in 0..<5 { try writer.addScalar("loss/train", 1.0 / Double(step + 1), globalStep: step, walltime: 100 + Double(step)) }
            try writer.addScalar("accuracy", try Tensor(0.75, dtype: .float32), globalStep: 9)
            try writer.close()
            let all = try events(inFolder: folder)
            #expect(all.count == 7)
            #expect(all[0].fileVersion == "brain.Event:2")
            let scalars = all.dropFirst().map { ($0.step, $0.summary.value[0].tag, $0.summary.value[0].simpleValue, $0.wallTime) }
            #expect(scalars.prefix(5).map(\.0) == [0, 1, 2, 3, 4])
            #expect(scalars.prefix(5).map(\.2) == [1, 0.5, Float(1.0 / 3), 0.25, 0.2])
            #expect(scalars.prefix(5).map(\.3) == [100, 101, 102, 103, 104])
            #expect(scalars.last?.1 == "accuracy" && scalars.last?.2 == 0.75 && scalars.last?.0 == 9)
            #expect(throws: TorchError.self) { try writer.addScalar("late", 1) }
        }
    }

    @Test("a damaged or cut record is an error naming the record")
    func damagedFilesThrow() throws {
        let record = EventRecords.frame(Array("an event".utf8)) + EventRecords.frame([1, 2, 3])
        #expect(try EventRecords.unframe(record, file: "ok").count == 2)
        for at in [3, 9, 14, record.count - 1] {
            var damaged = record
            damaged[at] ^= 0x10
            #expect(throws: TorchError.self, "byte \(at)") { try EventRecords.unframe(damaged, file: "damaged") }
        }
        #expect(throws: TorchError.self) { try EventRecords.unframe(Array(record.dropLast(2)), file: "cut") }
    }

    @Test("addScalars writes one event file per key in sub-folders, under the main tag, as PyTorch does")
    func scalarsGroupsGoToSubfolders() throws {
        try withDataTestFolder { folder in
            let writer = try SummaryWriter(logDir: folder)
            try writer.addScalars("run/loss", ["train": 0.5, "test": 0.75], globalStep: 3)
            try writer.close()
            for (key, value) in [("train", Float(0.5)), ("test", 0.75)] {
                let sub = try events(inFolder: folder.appendingPathComponent("run_loss_\(key)"))
                #expect(sub.count == 2)
                #expect(sub[1].summary.value[0].tag == "run/loss")
                #expect(sub[1].summary.value[0].simpleValue == value)
                #expect(sub[1].step == 3)
            }
        }
    }

    @Test("a histogram has NumPy's buckets, trimmed as PyTorch trims them")
    func histograms() throws {
        let equal = try makeHistogram([0.5, 1.5, 1.5, 1.0], bins: .count(2), tag: "h")
        #expect(equal.bucketLimit == [0.5, 1.0, 1.5])
        #expect(equal.bucket == [0, 1, 3])  // [0.5, 1) holds 0.5; [1, 1.5] (closed) holds the rest
        #expect(equal.min == 0.5 && equal.max == 1.5 && equal.num == 4 && equal.sum == 4.5 && equal.sumSquares == 5.75)

        let tf = try makeHistogram([1, 1, 2], bins: .tensorflow, tag: "h")
        #expect(tf.bucket.reduce(0, +) == 3)
        #expect(tf.bucket.first == 0)  // the one empty bucket kept on the left
        #expect(tf.bucketLimit.count == tf.bucket.count)
        // Each value lies in its bucket: (limit[i-1], limit[i]].
        let limits = tf.bucketLimit
        #expect(limits[0] <= 1 && limits[1] > 1 && limits[limits.count - 2] <= 2 && limits[limits.count - 1] > 2)
        #expect(tensorflowBucketEdges.count == 1549 && tensorflowBucketEdges[774] == 0)

        #expect(throws: TorchError.self) { try makeHistogram([], bins: .tensorflow, tag: "h") }
        #expect(throws: TorchError.self) { try makeHistogram([1, .nan], bins: .tensorflow, tag: "h") }
        #expect(throws: TorchError.self) { try makeHistogram([1], bins: .count(0), tag: "h") }
    }

    @Test("text goes to the text plugin as a one-string tensor under <tag>/text_summary")
    func text() throws {
        try withDataTestFolder { folder in
            let writer = try SummaryWriter(logDir: folder)
            try writer.addText("notes", "ünïcode *markdown*", globalStep: 2)
            try writer.close()
            let value = try events(inFolder: folder)[1].summary.value[0]
            #expect(value.tag == "notes/text_summary")
            #expect(value.metadata.pluginData.pluginName == "text")
            #expect(value.tensor.dtype == .dtString)
            #expect(value.tensor.tensorShape.dim.map(\.size) == [1])
            #expect(value.tensor.stringVal == [Data("ünïcode *markdown*".utf8)])
        }
    }

    @Test("images are PNG-encoded RGB, scaled and clipped as PyTorch does; a bad layout throws")
    func images() throws {
        try withDataTestFolder { folder in
            let writer = try SummaryWriter(logDir: folder)
            // A 1x2x3 (CHW) gray image: one channel becomes three.
            try writer.addImage("gray", try Tensor([0, 0.5, 1, 2, -1, 0.25], shape: [1, 2, 3], dtype: .float32), globalStep: 1)
            try writer.addImage("rgba", try Tensor((0..<16).map { Int64($0 * 20) }, shape: [2, 2, 4]), dataFormats: "HWC")
            #expect(throws: TorchError.self) { try writer.addImage("bad", try Tensor.zeros([2, 3, 3]), dataFormats: "CHW") }
            #expect(throws: TorchError.self) { try writer.addImage("bad", try Tensor.zeros([3, 3]), dataFormats: "CHW") }
            try writer.close()
            let all = try events(inFolder: folder)
            let gray = all[1].summary.value[0].image, rgba = all[2].summary.value[0].image
            #expect((gray.height, gray.width, gray.colorspace) == (2, 3, 3))
            #expect((rgba.height, rgba.width, rgba.colorspace) == (2, 2, 4))
            #expect(gray.encodedImageString.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            // 0.5 * 255 = 127.5 truncates to 127; 2 and -1 clip to 255 and 0.
            #expect(try decodePNG(gray.encodedImageString, folder: folder) == [0, 0, 0, 127, 127, 127, 255, 255, 255,
                                                                               255, 255, 255, 0, 0, 0, 63, 63, 63])
            #expect(try decodePNG(rgba.encodedImageString, folder: folder) == (0..<16).map { UInt8(min($0 * 20, 255)) })
        }
    }

    /// The samples of a PNG, decoded by Python's zlib with every chunk's CRC checked (no
    /// imaging library needed: the encoder writes filter 0 on every row).
    private func decodePNG(_ png: Data, folder: URL) throws -> [UInt8]? {
        guard PythonTools.python else { return nil }
        let file = folder.appendingPathComponent("image.png"), out = folder.appendingPathComponent("samples.bin")
        try png.write(to: file)
        let script = #"""
            import struct, sys, zlib
            data = open(sys.argv[1], "rb").read()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            at, idat, width, channels = 8, b"", 0, 0
            while at < len(data):
                n, kind = struct.unpack(">I4s", data[at:at + 8])
                body = data[at + 8:at + 8 + n]
                assert struct.unpack(">I", data[at + 8 + n:at + 12 + n])[0] == zlib.crc32(kind + body), kind
                if kind == b"IHDR":
                    width, height, depth, color = struct.unpack(">IIBB", body[:10])
                    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
                if kind == b"IDAT": idat += body
                at += 12 + n
            raw = zlib.decompress(idat)
            row = width * channels + 1
            assert all(raw[i] == 0 for i in range(0, len(raw), row))
            open(sys.argv[2], "wb").write(b"".join(raw[i + 1:i + row] for i in range(0, len(raw), row)))
            """#
        let run = try runSubprocess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path, out.path])
        try #require(run.status == 0, "the PNG does not decode: \(run.standardError)")
        return try [UInt8](Data(contentsOf: out))
    }

    @Test("TensorBoard's EventAccumulator reads the scalars, histogram, image and text",
          .enabled(if: PythonTools.tensorboard, "Python's tensorboard package is not installed (scripts/setup.sh installs it), so TensorBoard's own reader did not run"))
    func tensorBoardReadsTheFile() throws {
        try withDataTestFolder { folder in
            let writer = try SummaryWriter(logDir: folder)
            for step in 0..<4 { try writer.addScalar("loss", 2.0 - 0.5 * Double(step), globalStep: step * 10) }
            try writer.addHistogram("weights", try Tensor([-1, 0, 0.5, 0.5, 3], shape: [5], dtype: .float32), globalStep: 30)
            try writer.addImage("digit", try Tensor.ones([3, 4, 5]), globalStep: 30)
            try writer.addText("notes", "hello", globalStep: 30)
            try writer.close()
            let script = #"""
                import json, sys
                from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
                ea = EventAccumulator(sys.argv[1], size_guidance={"tensors": 0})
                ea.Reload()
                h = ea.Histograms("weights")[0].histogram_value
                img = ea.Images("digit")[0]
                text = ea.Tensors("notes/text_summary")[0].tensor_proto.string_val[0].decode()
                json.dump({"loss": [[e.step, e.value] for e in ea.Scalars("loss")],
                           "histogram": [h.num, h.sum, h.min, h.max], "image": [img.width, img.height], "text": text}, sys.stdout)
                """#
            let output = folder.appendingPathComponent("read.json")
            let run = try runSubprocess(URL(fileURLWithPath: "/bin/sh"), ["-c", "python3 -c \"$0\" \"$1\" > \"$2\"", script, folder.path, output.path])
            try #require(run.status == 0, "TensorBoard could not read the run: \(run.standardError)")
            struct Seen: Decodable {
                let loss: [[Double]]
                let histogram: [Double]
                let image: [Int]
                let text: String
            }
            let seen = try JSONDecoder().decode(Seen.self, from: Data(contentsOf: output))
            #expect(seen.loss == [[0, 2], [10, 1.5], [20, 1], [30, 0.5]])
            #expect(seen.histogram == [5, 3, -1, 3])
            #expect(seen.image == [5, 4])
            #expect(seen.text == "hello")
        }
    }

    @Test("the default log folder is runs/<Mon><dd>_<HH-MM-SS>_<host><comment>, as PyTorch names it")
    func defaultRunName() {
        let date = Date(timeIntervalSince1970: 1_764_826_320)  // 2025-12-04 05:32:00 UTC
        let name = SummaryWriter.defaultRunName(comment: "_lr0.1", date: date)
        #expect(name.hasSuffix("_\(ProcessInfo.processInfo.hostName)_lr0.1"))
        #expect(name.range(of: #"^[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_"#, options: .regularExpression) != nil, "\(name)")
    }
}
