import Foundation
import SwiftTorchCore

/// Zalando's Fashion-MNIST as a ``Dataset``, as torchvision's `datasets.FashionMNIST`: 28x28
/// grey images of clothing in ten classes, in MNIST's IDX files and file names
/// (`train-images-idx3-ubyte[.gz]`, ...), in `root` or in `root/FashionMNIST/raw`.
///
/// A sample is an image float32 [1, 28, 28] with pixel values 0...255 and its label, an
/// int64 scalar, each passed through `transform` and `targetTransform` when given. A
/// missing folder or file, a damaged file, or image and label counts that differ throw
/// `TorchError(.io)` naming the files.
///
/// <!-- snippet: data-fashion-mnist -->
/// ```swift
/// let train = try FashionMNIST(root: folder, train: true, transform: ToTensor())
/// print(FashionMNIST.classes[try train[0].1.item(Int.self)])
/// ```
public struct FashionMNIST: LabeledImageDataset {
    /// The label names, as torchvision's `FashionMNIST.classes`.
    public static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    let storage: LabeledImageBytes

    /// The training (`train`) or test half from `root`, with optional per-sample transforms.
    public init(root: URL, train: Bool = true, transform: (any Transform)? = nil, targetTransform: (any Transform)? = nil) throws {
        storage = try IDXImageFiles.read(name: "FashionMNIST", from: root, split: train ? .train : .test)
            .samples(transform: transform, targetTransform: targetTransform)
    }
}
