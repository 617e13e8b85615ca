import Foundation
import SwiftTorchCore

/// A text as a sequence of character indices, split into training and validation parts,
/// for the `char-transformer` example and the `transformer-step` workload.
public struct CharacterCorpus: Sendable {
    /// The distinct characters of the text, sorted; a character's index is its class.
    public let vocabulary: [Character]
    /// The first part of the text, as indices.
    public let train: [Int64]
    /// The rest of the text (the last `validationFraction` of it), as indices.
    public let validation: [Int64]
    private let indices: [Character: Int64]

    /// The texts every Debian machine has: the GPL version 3 and the Apache License 2.0,
    /// from `/usr/share/common-licenses` (real English prose, about 46,000 characters).
    public static let commonLicenseFiles = ["/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0"]

    /// Splits `text`: the first `1 - validationFraction` trains, the rest validates (a
    /// contiguous tail, so no validation window overlaps a training one).
    public init(text: String, validationFraction: Double = 0.1) throws {
        let characters = Array(text)
        guard characters.count >= 2, validationFraction > 0, validationFraction < 1 else {
            throw TorchError(.invalidArgument, "CharacterCorpus: need at least 2 characters and a validation fraction in (0, 1), got \(characters.count) characters and \(validationFraction)")
        }
        let vocabulary = Array(Set(characters)).sorted()
        let indices = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int64($0)) })
        let encoded = characters.map { indices[$0]! }
        self.vocabulary = vocabulary
        self.indices = indices
        let cut = Int(Double(encoded.count) * (1 - validationFraction))
        train = Array(encoded[..<cut])
        validation = Array(encoded[cut...])
    }

    /// The corpus of ``commonLicenseFiles``, joined.
    public static func commonLicenses(validationFraction: Double = 0.1) throws -> CharacterCorpus {
        let texts = try commonLicenseFiles.map { path -> String in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw TorchError(.invalidArgument, "CharacterCorpus: cannot read \(path) (Debian's base-files package provides it)")
            }
            return text
        }
        return try CharacterCorpus(text: texts.joined(separator: "\n"), validationFraction: validationFraction)
    }

    /// The indices of `text`'s characters; a character outside the vocabulary throws.
    public func encode(_ text: String) throws -> [Int64] {
        try text.map { c in
            guard let i = indices[c] else {
                throw TorchError(.invalidArgument, "CharacterCorpus.encode: '\(c)' is not in the vocabulary of \(vocabulary.count) characters")
            }
            return i
        }
    }

    /// The text of `indices`.
    public func decode(_ indices: [Int64]) -> String { String(indices.map { vocabulary[Int($0)] }) }

    /// The unigram baseline in nats: the cross entropy of the validation text under the
    /// training text's character frequencies (add-one smoothed, so unseen characters cost
    /// a finite amount). A model that ignores context can do no better on average.
    public var unigramBaseline: Double {
        var counts = [Double](repeating: 1, count: vocabulary.count)
        for i in train { counts[Int(i)] += 1 }
        let total = counts.reduce(0, +)
        return -validation.reduce(0) { $0 + Foundation.log(counts[Int($1)] / total) } / Double(validation.count)
    }

    /// `batchSize` windows of `contextLength + 1` characters of `split` at random starts:
    /// inputs `[batchSize, contextLength]` and the next characters as targets, both int64.
    public func randomBatch(_ split: [Int64], batchSize: Int, contextLength: Int, generator: Generator,
                            device: Device? = nil) throws -> (inputs: Tensor, targets: Tensor) {
        guard split.count > contextLength + 1 else {
            throw TorchError(.invalidArgument, "CharacterCorpus.randomBatch: a split of \(split.count) characters is too short for windows of \(contextLength + 1)")
        }
        let starts = generator.integers(batchSize, low: 0, high: Int64(split.count - contextLength - 1)).map(Int.init)
        return try windows(split, starts: starts, contextLength: contextLength, device: device)
    }

    /// Consecutive non-overlapping windows over the validation text, in batches of
    /// `batchSize` (at most `maxBatches`): the same batches every time, for comparable losses.
    public func validationBatches(batchSize: Int, contextLength: Int, maxBatches: Int = .max,
                                  device: Device? = nil) throws -> [(inputs: Tensor, targets: Tensor)] {
        let starts = Array(stride(from: 0, to: validation.count - contextLength - 1, by: contextLength))
        return try stride(from: 0, to: starts.count - batchSize + 1, by: batchSize).prefix(maxBatches).map {
            try windows(validation, starts: Array(starts[$0..<($0 + batchSize)]), contextLength: contextLength, device: device)
        }
    }

    private func windows(_ split: [Int64], starts: [Int], contextLength: Int, device: Device?) throws -> (inputs: Tensor, targets: Tensor) {
        let inputs = starts.flatMap { split[$0..<($0 + contextLength)] }
        let targets = starts.flatMap { split[($0 + 1)..<($0 + contextLength + 1)] }
        return (try Tensor(inputs, shape: [starts.count, contextLength], device: device),
                try Tensor(targets, shape: [starts.count, contextLength], device: device))
    }
}
