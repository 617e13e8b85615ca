import Foundation
import SwiftTorch
import SwiftTorchText

/// `--embed TEXTS --out EMBEDDINGS.jsonl`: one text per line in, one JSON array of floats per
/// line out, in the same order.
enum EmbeddingsFile {
    /// Texts per pass over the model and per write, so a large file needs bounded memory.
    static let chunk = 4096

    /// The lines of a UTF-8 file; a final newline ends the last line rather than starting an
    /// empty one, and a `\r` before a newline is dropped. An empty line is an empty text.
    static func readLines(_ url: URL) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TorchError(.io, "semantic-search: cannot read \(url.path) as UTF-8 text: \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Writes the embeddings of `texts` to `out`, a line each: first to a temporary name
    /// beside it, then renamed, so `out` is never left half-written.
    static func embed(_ texts: [String], into out: URL, embedder: SentenceEmbedder, batchSize: Int) throws {
        let temporary = out.deletingLastPathComponent()
            .appendingPathComponent(".\(out.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw TorchError(.io, "semantic-search: cannot create \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            for start in stride(from: 0, to: texts.count, by: chunk) {
                let part = Array(texts[start..<min(start + chunk, texts.count)])
                let values = try embedder.embed(part, batchSize: batchSize).toArray(of: Float.self)
                var jsonLines = ""
                for row in 0..<part.count {
                    let vector = values[row * embedder.dimension ..< (row + 1) * embedder.dimension]
                    jsonLines += "[" + vector.map { "\($0)" }.joined(separator: ",") + "]\n"
                }
                try handle.write(contentsOf: Data(jsonLines.utf8))
            }
            try handle.synchronize()
            guard rename(temporary.path, out.path) == 0 else {
                throw TorchError(.io, "semantic-search: cannot rename \(temporary.path) to \(out.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        FileHandle.standardError.write(Data("semantic-search: wrote \(texts.count) embeddings of \(embedder.dimension) floats to \(out.path)\n".utf8))
    }

    /// Embeds `texts` `rounds` times and prints the median round's sentences per second of
    /// wall time and per second of the process's CPU time (all threads; steadier than wall
    /// time on a shared machine): tokenising and the model, as `SentenceTransformer.encode`
    /// times them; no loading, no writing.
    static func measure(_ texts: [String], embedder: SentenceEmbedder, batchSize: Int, rounds: Int) throws {
        var wall: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<rounds {
            let (wall0, cpu0) = (Date(), clock())
            _ = try embedder.embed(texts, batchSize: batchSize)
            wall.append(Date().timeIntervalSince(wall0))
            cpu.append(Double(clock() - cpu0) / Double(CLOCKS_PER_SEC))
        }
        func rate(_ seconds: [Double]) -> Double { Double(texts.count) / seconds.sorted()[seconds.count / 2] }
        print(String(format: "sentences/s: %.1f, per CPU-second: %.1f (median of %d rounds of %d texts, batch %d)",
                     rate(wall), rate(cpu), rounds, texts.count, batchSize))
    }
}
