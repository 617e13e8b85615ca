import ArgumentParser
import Foundation
import SwiftTorch
import SwiftTorchText

/// Semantic search with all-MiniLM-L6-v2: embeds a small corpus and answers each query with
/// its nearest sentences by cosine similarity; or embeds a file of texts into JSON lines.
@main
struct SemanticSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semantic-search",
        abstract: "Finds the corpus sentences nearest in meaning to each query (all-MiniLM-L6-v2 embeddings).",
        discussion: """
            Without queries it runs a few English and Chinese demo queries. The model comes from \
            scripts/fetch-minilm.sh. With --embed, it writes one JSON array of floats per input line instead.
            """)

    @Argument(help: "Queries to answer.")
    var queries: [String] = []

    @Option(help: "The model folder (default: $SWIFTTORCH_MINILM_DIR, else .cache/models/all-MiniLM-L6-v2).")
    var model: String?

    @Option(help: "A corpus file, one text per line, instead of the built-in sentences.")
    var corpus: String?

    @Option(name: .customLong("top"), help: "How many results per query.")
    var topK = 3

    @Option(help: "Texts per forward pass.")
    var batchSize = 32

    @Option(help: "The backend (reference, openmp, blas...); default: SWIFTTORCH_BACKEND or the fastest available.")
    var backend: String?

    @Option(help: "Embed this file (one text per line) instead of searching.")
    var embed: String?

    @Option(help: "Where --embed writes its JSON lines.")
    var out: String?

    @Option(help: "With --embed: then embed the texts this many more times and print sentences per second (loading and writing not counted).")
    var timingRounds = 0

    func validate() throws {
        guard topK > 0 else { throw ValidationError("--top must be positive") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard (embed == nil) == (out == nil) else { throw ValidationError("--embed and --out go together") }
        guard timingRounds >= 0 else { throw ValidationError("--timing-rounds must not be negative") }
    }

    func run() throws {
        let folder = model ?? ProcessInfo.processInfo.environment["SWIFTTORCH_MINILM_DIR"] ?? ".cache/models/all-MiniLM-L6-v2"
        let embedder: SentenceEmbedder
        do {
            embedder = try SentenceEmbedder(folder: URL(fileURLWithPath: folder))
        } catch let error as TorchError {
            throw ValidationError("\(error.message)\nDownload the model with scripts/fetch-minilm.sh, or pass --model.")
        }
        let work = { () throws in
            if let embed, let out {
                let texts = try EmbeddingsFile.readLines(URL(fileURLWithPath: embed))
                try EmbeddingsFile.embed(texts, into: URL(fileURLWithPath: out), embedder: embedder, batchSize: batchSize)
                if timingRounds > 0 {
                    try EmbeddingsFile.measure(texts, embedder: embedder, batchSize: batchSize, rounds: timingRounds)
                }
            } else {
                try search(embedder)
            }
        }
        if let backend { try Runtime.withBackend(backend, work) } else { try work() }
    }

    private func search(_ embedder: SentenceEmbedder) throws {
        let sentences = try corpus.map { try EmbeddingsFile.readLines(URL(fileURLWithPath: $0)) } ?? Corpus.sentences
        guard !sentences.isEmpty else { throw ValidationError("the corpus is empty") }
        let index = try embedder.embed(sentences, batchSize: batchSize)
        let asked = queries.isEmpty ? Corpus.demoQueries : queries
        // Unit vectors: the dot products are the cosine similarities, [queries, corpus].
        let scores = try embedder.embed(asked, batchSize: batchSize).matmul(index.t())
        let k = min(topK, sentences.count)
        for (q, query) in asked.enumerated() {
            let row = try scores.narrow(dim: 0, start: q, length: 1).toArray(of: Float.self)
            print("query: \(query)")
            for i in row.indices.sorted(by: { row[$0] > row[$1] }).prefix(k) {
                print(String(format: "  %.3f  ", row[i]) + sentences[i])
            }
        }
    }
}
