import Foundation
import SwiftTorchCore

/// CIFAR-10 as a ``Dataset``, as torchvision's `datasets.CIFAR10`: 32x32 colour images in
/// ten classes, read from the binary version's files (`data_batch_1.bin` ...
/// `data_batch_5.bin` for training, `test_batch.bin` for testing), in `root` or in
/// `root/cifar-10-batches-bin` (where the downloaded archive unpacks). SwiftTorch does not
/// download them.
///
/// Each record of a file is one label byte (0...9) and 3,072 pixel bytes: the red, green and
/// blue planes, each 32 rows of 32. A sample is the image float32 [3, 32, 32] with pixel
/// values 0...255 and its label, an int64 scalar, each passed through `transform` and
/// `targetTransform` when given:
///
/// <!-- snippet: data-cifar10 -->
/// ```swift
/// let augment = Compose([RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor(),
///                        Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])])
/// let train = try CIFAR10(root: folder, train: true, transform: augment)
/// let (image, label) = try train[0]   // [3, 32, 32] and []
/// ```
public struct CIFAR10: LabeledImageDataset {
    /// The label names, as torchvision's `CIFAR10.classes`.
    public static let classes = ["airplane", "automobile", "bird", "cat", "deer",
                                 "dog", "frog", "horse", "ship", "truck"]
    /// Bytes per record: a label and 3 x 32 x 32 pixels.
    static let recordLength = 1 + 3 * 32 * 32

    let storage: LabeledImageBytes

    /// The training (`train`: the five data batches, in order) or test half from `root`,
    /// with optional per-sample transforms. A missing file, a file that is not a whole
    /// number of records, or a label outside 0...9 throws `TorchError(.io)` naming the file.
    public init(root: URL, train: Bool = true, transform: (any Transform)? = nil, targetTransform: (any Transform)? = nil) throws {
        let names = train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        var bytes: [UInt8] = []
        for name in names {
            let url = try Self.locate(name, in: root)
            let file = try readFileBytes(url, what: "CIFAR-10 file")
            try Self.check(file, path: url.path)
            bytes += file
        }
        let records = bytes.count / Self.recordLength
        storage = LabeledImageBytes(name: "CIFAR10", bytes: bytes, firstPixel: 1, recordStride: Self.recordLength,
                                    imageShape: [3, 32, 32],
                                    labels: (0..<records).map { Int64(bytes[$0 * Self.recordLength]) },
                                    transform: transform, targetTransform: targetTransform)
    }

    /// Throws unless `file` is a whole, non-zero number of records with labels 0...9.
    private static func check(_ file: [UInt8], path: String) throws {
        let (records, rest) = file.count.quotientAndRemainder(dividingBy: recordLength)
        guard records > 0, rest == 0 else {
            throw TorchError(.io, "CIFAR-10 file \(path): \(file.count) bytes is not a whole number of \(recordLength)-byte records (a label byte and 3072 pixel bytes each); the file is truncated or not a CIFAR-10 binary batch")
        }
        if let bad = (0..<records).first(where: { file[$0 * recordLength] > 9 }) {
            throw TorchError(.io, "CIFAR-10 file \(path): record \(bad) has label \(file[bad * recordLength]), outside 0...9; the file is corrupt or not a CIFAR-10 binary batch")
        }
    }

    /// `root/name` or `root/cifar-10-batches-bin/name`; otherwise an error listing both.
    private static func locate(_ name: String, in root: URL) throws -> URL {
        let candidates = [root.appendingPathComponent(name), root.appendingPathComponent("cifar-10-batches-bin/\(name)")]
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return found
        }
        throw TorchError(.io, "CIFAR10: \(name) not found; tried:\n" + candidates.map { "  " + $0.path }.joined(separator: "\n"))
    }
}
