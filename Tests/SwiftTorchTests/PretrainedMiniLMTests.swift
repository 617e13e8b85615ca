import Foundation
import Testing
import SwiftTorch
import SwiftTorchText

/// all-MiniLM-L6-v2 end to end against Hugging Face: the tokenizer's ids and
/// sentence-transformers' embeddings of 54 texts (Resources/make-minilm-expected.py), on every
/// CPU backend. The model is not in the repository: scripts/fetch-minilm.sh downloads it
/// (scripts/setup.sh, and so scripts/test.sh, runs it), and without it these tests fail.
@Suite("pretrained MiniLM")
struct PretrainedMiniLMTests {
    struct Expected: Decodable {
        struct Case: Decodable { let text: String; let ids: [Int]; let embedding: [Double] }
        let max_seq_length: Int
        let cases: [Case]
    }

    static func expected() throws -> Expected {
        let url = try #require(Bundle.module.url(forResource: "minilm-expected", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }

    /// The model folder: `SWIFTTORCH_MINILM_DIR`, or where scripts/fetch-minilm.sh puts it.
    static func modelFolder() throws -> URL {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = ProcessInfo.processInfo.environment["SWIFTTORCH_MINILM_DIR"].map { URL(fileURLWithPath: $0) }
            ?? repository.appendingPathComponent(".cache/models/all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) else {
            throw TorchError(.io, "all-MiniLM-L6-v2 is not at \(folder.path): run scripts/fetch-minilm.sh (scripts/setup.sh runs it) to download it")
        }
        return folder
    }

    /// Texts whose embedding the reference backend checks: that backend is the plain-Swift
    /// oracle (about 30 million multiply-adds a second in a debug build, some 10 million per
    /// token), so it takes four short ones (English, accents, Chinese, empty) and leaves the
    /// other 50 to openmp and blas.
    static let referenceSubset: Set<Int> = [0, 16, 29, 39]

    @Test("the tokenizer gives Hugging Face's ids for every text, truncation at 256 included")
    func tokenIDs() throws {
        let expected = try Self.expected()
        #expect(expected.cases.count >= 50)
        let tokenizer = try BertTokenizer(vocabularyFile: Self.modelFolder().appendingPathComponent("vocab.txt"),
                                          maxLength: expected.max_seq_length)
        for (i, c) in expected.cases.enumerated() {
            let ids = tokenizer.encode(c.text)
            #expect(ids == c.ids, "case \(i) \(c.text.debugDescription.prefix(60)): \(tokenizer.tokenize(c.text).prefix(40))")
        }
        #expect(expected.cases.contains { $0.ids.count == expected.max_seq_length })
    }

    @Test("embeddings match sentence-transformers (cosine >= 0.9999, max abs diff <= 1e-4)",
          arguments: ["reference", "openmp", "blas"])
    func embeddings(backend: String) throws {
        let expected = try Self.expected()
        let embedder = try SentenceEmbedder(folder: Self.modelFolder())
        let chosen = expected.cases.indices.filter { backend != "reference" || Self.referenceSubset.contains($0) }
        let actual = try Runtime.withBackend(backend) {
            try embedder.embed(chosen.map { expected.cases[$0].text }, batchSize: 16)
        }
        #expect(actual.shape == [chosen.count, 384])
        let rows = try actual.toArray(of: Double.self)
        for (k, i) in chosen.enumerated() {
            let mine = rows[k * 384 ..< (k + 1) * 384]
            let theirs = expected.cases[i].embedding
            let cosine = Self.dot(mine, theirs) / (Self.dot(mine, mine) * Self.dot(theirs, theirs)).squareRoot()
            let maxDiff = zip(mine, theirs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(cosine >= 0.9999 && maxDiff <= 1e-4,
                    "\(backend) case \(i) \(expected.cases[i].text.debugDescription.prefix(50)): cosine \(cosine), max abs diff \(maxDiff)")
        }
    }

    static func dot(_ a: some Collection<Double>, _ b: some Collection<Double>) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test("a text's embedding does not depend on the batch it is padded in")
    func paddingIsMasked() throws {
        let embedder = try SentenceEmbedder(folder: Self.modelFolder())
        let short = "A man is eating food."
        let alone = try embedder.embed([short]).toArray(of: Double.self)
        let padded = try embedder.embed([short, String(repeating: "a much longer sentence that pads the batch ", count: 8)])
        let inBatch = try padded.narrow(dim: 0, start: 0, length: 1).toArray(of: Double.self)
        #expect(zip(alone, inBatch).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(abs(Self.dot(alone, alone) - 1) <= 1e-5)
    }
}
