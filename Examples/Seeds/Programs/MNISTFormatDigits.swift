import Foundation
import SwiftTorch

/// Small MNIST-format files that a model can actually learn from: the bundled digits
/// (8x8, values 0...16) scaled up three times to 24x24, centred in 28x28 and mapped to
/// 0...255, written under MNIST's file names. `seeds simple-mlp` and its tests use them
/// when no MNIST folder is given, so the seed program runs unchanged on real handwriting
/// without downloading MNIST.
public enum MNISTFormatDigits {
    public static let trainCount = 960
    public static let testCount = 360

    /// Writes `train-*` and `t10k-*` IDX files into a new temporary folder and returns it.
    public static func writeSmallSet() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let digits = try Digits.load()
        let features = try digits.features.toArray(of: Double.self)
        let labels = try digits.labels.toArray(of: Int.self)
        let splits = [("train", 0..<trainCount), ("t10k", trainCount..<(trainCount + testCount))]
        for (prefix, range) in splits {
            let images = range.flatMap { image28(Array(features[($0 * 64)..<($0 * 64 + 64)])) }
            try Data(idxBytes([range.count, 28, 28], images)).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(idxBytes([range.count], range.map { UInt8(labels[$0]) })).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        return folder
    }

    /// One 8x8 digit as 28x28 bytes: each pixel a 3x3 block, with a 2-pixel border.
    private static func image28(_ pixels: [Double]) -> [UInt8] {
        (0..<784).map { k in
            let (row, column) = (k / 28 - 2, k % 28 - 2)
            guard (0..<24).contains(row), (0..<24).contains(column) else { return 0 }
            return UInt8((pixels[(row / 3) * 8 + column / 3] * 255 / 16).rounded())
        }
    }
}

/// An IDX file of unsigned bytes (magic 0x0000_08, the rank, big-endian sizes, the values).
private func idxBytes(_ sizes: [Int], _ values: [UInt8]) -> [UInt8] {
    [0, 0, 8, UInt8(sizes.count)] + sizes.flatMap { s in (0..<4).map { UInt8(truncatingIfNeeded: s >> (8 * (3 - $0))) } } + values
}
