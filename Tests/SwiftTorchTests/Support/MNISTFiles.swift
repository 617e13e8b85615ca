import Foundation
import SwiftTorch

/// Small MNIST-format files that a model can actually learn from: the bundled digits
/// (8x8, values 0...16) scaled up three times to 24x24, centred in 28x28 and mapped to
/// 0...255, written under MNIST's file names. Tests that train "on MNIST" use them, so a
/// seed program runs unchanged on real handwriting without downloading MNIST.
enum MNISTFiles {
    static let trainCount = 960
    static let testCount = 360

    /// Writes `train-*` and `t10k-*` IDX files into a new temporary folder and returns it.
    static func writeSmallSet() throws -> URL {
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
