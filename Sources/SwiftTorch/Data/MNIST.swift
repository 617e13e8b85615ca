import Foundation
import SwiftTorchCore

/// The MNIST handwritten digits as a ``Dataset``, as torchvision's `datasets.MNIST`, read
/// from the IDX files the user has downloaded (`train-images-idx3-ubyte`,
/// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each plain
/// or `.gz`, in `root` or in `root/MNIST/raw`, torchvision's layout). SwiftTorch does not
/// download them.
///
/// A sample is an image float32 [1, 28, 28] with pixel values 0...255 and its label, an
/// int64 scalar, each passed through `transform` and `targetTransform` when given. Missing
/// or damaged files throw `TorchError(.io)` naming the files (see ``load(from:split:scaling:)``).
///
/// <!-- snippet: data-mnist -->
/// ```swift
/// let transform = Compose([ToTensor(), Normalize(mean: [0.1307], std: [0.3081])])
/// let train = try MNIST(root: folder, train: true, transform: transform)
/// for try await (images, labels) in DataLoader(train, batchSize: 64, shuffle: true) {
///     try lossFunction(model(images), labels).backward()
/// }
/// ```
///
/// `MNIST.load(from:split:scaling:)` reads the same files into two whole tensors instead.
public struct MNIST: LabeledImageDataset {
    /// Which half of MNIST to read.
    public enum Split: Sendable {
        /// The 60,000 training images (`train-*`).
        case train
        /// The 10,000 test images (`t10k-*`).
        case test

        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// How pixel values 0...255 become floats.
    public enum Scaling: Sendable {
        /// Divided by 255, into [0, 1] (as torchvision's `ToTensor`).
        case unitInterval
        /// Kept as 0...255.
        case raw
    }

    /// The label names, as torchvision's `MNIST.classes`.
    public static let classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
                                 "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    let storage: LabeledImageBytes

    /// The training (`train`) or test half of MNIST from `root`, with optional per-sample
    /// transforms.
    public init(root: URL, train: Bool = true, transform: (any Transform)? = nil, targetTransform: (any Transform)? = nil) throws {
        storage = try IDXImageFiles.read(name: "MNIST", from: root, split: train ? .train : .test)
            .samples(transform: transform, targetTransform: targetTransform)
    }

    /// Images float32 [N, 28, 28] and labels int64 [N] of `split` from `folder`. A file is
    /// looked for under its plain and `.gz` names, in `folder` and in `folder/MNIST/raw`
    /// (torchvision's layout). A missing folder or file, a bad magic number, truncated data,
    /// gzip data that inflates past what its header declares, or image and label counts that
    /// differ throw `TorchError(.io)` naming the paths.
    public static func load(from folder: URL, split: Split = .train, scaling: Scaling = .unitInterval) throws
        -> (images: Tensor, labels: Tensor) {
        let files = try IDXImageFiles.read(name: "MNIST", from: folder, split: split)
        return (try files.images.floatTensor(dividedBy: scaling == .unitInterval ? 255 : 1), try files.labels.int64Tensor())
    }
}

/// An images file and its labels file in MNIST's IDX format, checked to agree: MNIST's
/// and Fashion-MNIST's files, which differ only in their folder under `root`.
struct IDXImageFiles {
    /// The data set's name, for errors.
    let name: String
    let images: IDXFile
    let labels: IDXFile

    /// The `split` files of the data set `name` ("MNIST", "FashionMNIST") from `folder`,
    /// looked for in `folder` and in `folder/name/raw`.
    static func read(name: String, from folder: URL, split: MNIST.Split) throws -> IDXImageFiles {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw TorchError(.io, "\(name): the folder \(folder.path) does not exist")
        }
        let imageURL = try locate("\(split.prefix)-images-idx3-ubyte", in: folder, name: name, kind: "images")
        let labelURL = try locate("\(split.prefix)-labels-idx1-ubyte", in: folder, name: name, kind: "labels")
        let images = try IDXFile.read(imageURL, rank: 3, kind: "images")
        let labels = try IDXFile.read(labelURL, rank: 1, kind: "labels")
        guard images.shape[0] == labels.shape[0] else {
            throw TorchError(.io, "\(name): \(imageURL.path) holds \(images.shape[0]) images but \(labelURL.path) holds \(labels.shape[0]) labels")
        }
        return IDXImageFiles(name: name, images: images, labels: labels)
    }

    /// The images as one-channel samples [1, H, W] of pixel values 0...255.
    func samples(transform: (any Transform)?, targetTransform: (any Transform)?) -> LabeledImageBytes {
        let (height, width) = (images.shape[1], images.shape[2])
        return LabeledImageBytes(name: name, bytes: images.bytes, firstPixel: images.dataStart, recordStride: height * width,
                                 imageShape: [1, height, width],
                                 labels: labels.bytes[labels.dataStart...].map(Int64.init),
                                 transform: transform, targetTransform: targetTransform)
    }

    /// The first of the file's usual names that exists; otherwise an error listing them all.
    private static func locate(_ file: String, in folder: URL, name: String, kind: String) throws -> URL {
        let folders = [folder, folder.appendingPathComponent("\(name)/raw")]
        let candidates = folders.flatMap { f in
            [file, file + ".gz", file.replacingOccurrences(of: "-idx", with: ".idx")].map { f.appendingPathComponent($0) }
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return found
        }
        throw TorchError(.io, "\(name): no \(kind) file found; tried:\n" + candidates.map { "  " + $0.path }.joined(separator: "\n"))
    }
}
