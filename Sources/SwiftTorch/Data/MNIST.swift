import Foundation
import SwiftTorchCore

/// The MNIST handwritten digits, read from the IDX files the user has downloaded
/// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
/// `t10k-labels-idx1-ubyte`, each plain or `.gz`). SwiftTorch does not download them.
///
/// ```swift
/// let train = try MNIST.load(from: URL(fileURLWithPath: "data/mnist"), split: .train)
/// // train.images: float32 [60000, 28, 28] in [0, 1]; train.labels: int64 [60000]
/// ```
public enum MNIST {
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

    /// Images float32 [N, 28, 28] and labels int64 [N] of `split` from `folder`. A file is
    /// looked for under its plain and `.gz` names, in `folder` and in `folder/MNIST/raw`
    /// (torchvision's layout). A missing folder or file, a bad magic number, truncated data,
    /// gzip data that inflates past what its header declares, or image and label counts that
    /// differ throw `TorchError(.io)` naming the paths.
    public static func load(from folder: URL, split: Split = .train, scaling: Scaling = .unitInterval) throws
        -> (images: Tensor, labels: Tensor) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw TorchError(.io, "MNIST: the folder \(folder.path) does not exist")
        }
        let imageURL = try locate("\(split.prefix)-images-idx3-ubyte", in: folder, kind: "images")
        let labelURL = try locate("\(split.prefix)-labels-idx1-ubyte", in: folder, kind: "labels")
        let images = try IDXFile.read(imageURL, rank: 3, kind: "images")
        let labels = try IDXFile.read(labelURL, rank: 1, kind: "labels")
        guard images.shape[0] == labels.shape[0] else {
            throw TorchError(.io, "MNIST: \(imageURL.path) holds \(images.shape[0]) images but \(labelURL.path) holds \(labels.shape[0]) labels")
        }
        return (try images.floatTensor(dividedBy: scaling == .unitInterval ? 255 : 1), try labels.int64Tensor())
    }

    /// The first of the file's usual names that exists; otherwise an error listing them all.
    private static func locate(_ name: String, in folder: URL, kind: String) throws -> URL {
        let folders = [folder, folder.appendingPathComponent("MNIST/raw")]
        let candidates = folders.flatMap { f in
            [name, name + ".gz", name.replacingOccurrences(of: "-idx", with: ".idx")].map { f.appendingPathComponent($0) }
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return found
        }
        throw TorchError(.io, "MNIST: no \(kind) file found; tried:\n" + candidates.map { "  " + $0.path }.joined(separator: "\n"))
    }
}
