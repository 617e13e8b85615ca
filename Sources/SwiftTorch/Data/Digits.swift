import Foundation
import SwiftTorchCore

/// The handwritten digits data set bundled with SwiftTorch (UCI "Optical Recognition of
/// Handwritten Digits", CC BY 4.0; see `Resources/DIGITS-LICENSE.md`): 1,797 grey 8x8 images
/// with pixel values 0...16, labelled 0...9. No download is needed.
///
/// <!-- snippet: data-digits -->
/// ```swift
/// let digits = try Digits.load()
/// let data = try TensorDataset(digits.features / 16, digits.labels)
/// ```
public enum Digits {
    /// Samples in the bundled file.
    public static let sampleCount = 1797
    /// Pixels per image (8x8, row-major).
    public static let featureCount = 64
    /// Distinct labels.
    public static let classCount = 10

    /// The bundled data: `features` float32 [1797, 64] with the raw pixel values 0...16, and
    /// `labels` int64 [1797].
    public static func load() throws -> (features: Tensor, labels: Tensor) {
        try load(from: bundledFile())
    }

    /// The largest digits CSV SwiftTorch reads, plain or unpacked: 16 MiB. A line of 65 small
    /// numbers takes about 200 bytes, so this holds some 80,000 samples (the whole UCI set
    /// has 5,620, about 1 MB); anything larger is damaged, or a gzip bomb.
    public static let maximumFileSize = 16 << 20

    /// Digits in the bundled file's format from `url`: CSV lines of 64 pixel values 0...16 and
    /// a label 0...9, gzip-compressed or plain, at most ``maximumFileSize`` bytes unpacked.
    public static func load(from url: URL) throws -> (features: Tensor, labels: Tensor) {
        var bytes = try readFileBytes(url, what: "digits file")
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, name: url.path, limit: maximumFileSize) }
        guard bytes.count <= maximumFileSize else {
            throw TorchError(.io, "digits file \(url.path): \(bytes.count) bytes, more than the \(maximumFileSize) a digits CSV can plausibly hold")
        }
        return try parse(bytes, file: url.path)
    }

    /// The bundled `digits.csv.gz`. SwiftPM's generated `Bundle.module` stops the program when
    /// the resource bundle is missing (an executable copied elsewhere); looking for it here
    /// lets a missing bundle be an error that lists where it was looked for.
    static func bundledFile() throws -> URL {
        var folders: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(executable.deletingLastPathComponent())
        }
        var candidates: [URL] = []
        for folder in folders {
            candidates.append(folder.appendingPathComponent("SwiftTorch_SwiftTorch.resources/Resources/digits.csv.gz"))
            candidates.append(folder.appendingPathComponent("SwiftTorch_SwiftTorch.bundle/Contents/Resources/Resources/digits.csv.gz"))
            candidates.append(folder.appendingPathComponent("SwiftTorch_SwiftTorch.bundle/Resources/digits.csv.gz"))
        }
        // Last, the source checkout this library was built from.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/digits.csv.gz"))
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return found
        }
        throw TorchError(.io, "Digits.load: the bundled digits.csv.gz was not found; looked in:\n"
            + candidates.map { "  " + $0.path }.joined(separator: "\n")
            + "\nkeep SwiftTorch_SwiftTorch.resources next to the executable, or use Digits.load(from:)")
    }

    /// Parses CSV bytes; a malformed line throws `TorchError(.io)` naming the file and line.
    static func parse(_ bytes: [UInt8], file: String) throws -> (features: Tensor, labels: Tensor) {
        var pixels: [Float] = []
        var labels: [Int64] = []
        pixels.reserveCapacity(sampleCount * featureCount)
        labels.reserveCapacity(sampleCount)
        var row: [Int] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            if text.allSatisfy({ $0 == UInt8(ascii: " ") }) { continue }
            row.removeAll(keepingCapacity: true)
            for field in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                guard let value = parseInteger(field) else {
                    throw TorchError(.io, "digits file \(file): line \(lineNumber): '\(String(decoding: field, as: UTF8.self))' is not a non-negative integer")
                }
                row.append(value)
            }
            guard row.count == featureCount + 1 else {
                throw TorchError(.io, "digits file \(file): line \(lineNumber) has \(row.count) values; expected \(featureCount) pixels and a label")
            }
            if let bad = row[0..<featureCount].first(where: { !(0...16).contains($0) }) {
                throw TorchError(.io, "digits file \(file): line \(lineNumber): pixel value \(bad) is outside 0...16")
            }
            guard (0..<classCount).contains(row[featureCount]) else {
                throw TorchError(.io, "digits file \(file): line \(lineNumber): label \(row[featureCount]) is outside 0...9")
            }
            pixels.append(contentsOf: row[0..<featureCount].map(Float.init))
            labels.append(Int64(row[featureCount]))
        }
        let n = labels.count
        let features = try Tensor.filledOnCPU([n, featureCount], dtype: .float32) { target in
            pixels.withUnsafeBytes { target.copyMemory(from: $0) }
        }
        let labelTensor = try Tensor.filledOnCPU([n], dtype: .int64) { target in
            labels.withUnsafeBytes { target.copyMemory(from: $0) }
        }
        return (features, labelTensor)
    }

    /// A small non-negative decimal integer, with spaces allowed around it; nil for anything
    /// else. Byte-wise rather than through `String` and `Int.init`: it runs 117,000 times a load.
    private static func parseInteger(_ field: ArraySlice<UInt8>) -> Int? {
        let space = UInt8(ascii: " "), zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
        guard let first = field.firstIndex(where: { $0 != space }) else { return nil }
        let last = field.lastIndex(where: { $0 != space })!
        guard last - first < 9 else { return nil }
        var value = 0
        for byte in field[first...last] {
            guard byte >= zero, byte <= nine else { return nil }
            value = value * 10 + Int(byte - zero)
        }
        return value
    }
}
