import Foundation
import Testing

/// Keeps the examples in `///` doc comments honest, as DocSnippetTests does for Docs/*.md.
/// In Sources/ and Backends/, a doc comment's fenced block preceded by the line
/// `/// <!-- snippet: NAME -->` (an HTML comment, which DocC does not show) must equal the
/// region NAME of a `*Snippets.swift` file (SourceDocSnippets.swift), where it compiles and
/// runs. Every Swift block carries such a marker or `/// <!-- not run: why -->`; every fence
/// names its language, so text that is not Swift (a formula, a terminal line) says `text`
/// or `sh`. DocSnippetTests.everyRegionIsUsed counts these markers too.
@Suite("Docs: doc comment examples are tested")
struct SourceDocSnippetTests {
    /// Files whose unmarked Swift blocks are tolerated for now (none: Data/'s examples have
    /// their regions in DataSnippets.swift). Marked blocks in them are still checked.
    static let notYetCovered: Set<String> = []

    @Test("every block of a doc comment names its language, and every Swift block runs or says why not",
          arguments: DocSnippetFile.commentedSources)
    func everyBlockIsCovered(_ path: String) throws {
        let file = try DocSnippetFile(source: path)
        let regions = try DocSnippetFile.regions()
        for block in file.blocks {
            let place = "\(path):\(block.line)"
            if block.marker.kind == "snippet" {
                guard let region = regions[block.marker.name] else {
                    Issue.record("\(place): snippet '\(block.marker.name)' has no region in any *Snippets.swift file")
                    continue
                }
                #expect(block.text == region, "\(place): snippet '\(block.marker.name)' differs from its region")
            } else if !Self.notYetCovered.contains(path) {
                #expect(!block.language.isEmpty, "\(place): a fence without a language; say swift, text or sh")
                #expect(block.language != "swift" || block.marker.kind == "not run",
                        "\(place): a swift block without /// <!-- snippet: NAME --> or /// <!-- not run: why -->")
            }
        }
    }

    @Test("the scan reads doc comments: Sequential's example is found, marked and in Swift")
    func scanFindsAKnownExample() throws {
        let sources = DocSnippetFile.commentedSources
        #expect(sources.contains("Sources/SwiftTorch/Optim/SGD.swift"))
        #expect(sources.contains("Sources/SwiftTorch/Data/DataLoader.swift"))
        let blocks = try DocSnippetFile(source: "Sources/SwiftTorch/NN/Sequential.swift").blocks
        #expect(blocks.count == 1)
        #expect(blocks.first?.marker.name == "sequential")
        #expect(blocks.first?.language == "swift")
        #expect(blocks.first?.line == 7)
        #expect(blocks.first?.text.hasPrefix("let model = Sequential {\n    Linear(64, 128)") == true)
    }

    @Test("a doc comment's markers and fences are read after the /// prefix, and a block ends with its comment")
    func parsesDocCommentLines() {
        let source = """
            /// Adds one.
            ///
            /// <!-- snippet: add-one -->
            /// ```swift
            /// let y = x + 1
            /// ```
            func addOne() {}
                /// ```text
                /// a + 1
                /// ```
            """
        let blocks = DocSnippetFile(sourceText: source).blocks
        #expect(blocks.map(\.marker.name) == ["add-one", ""])
        #expect(blocks.map(\.language) == ["swift", "text"])
        #expect(blocks.map(\.text) == ["let y = x + 1", "a + 1"])
        #expect(blocks.map(\.line) == [4, 8])
    }
}

extension DocSnippetFile {
    /// The files of Sources/ and Backends/ (Swift, C and CUDA, as paths from the repository)
    /// with at least one fenced block in a `///` comment.
    static var commentedSources: [String] {
        let kinds: Set<String> = ["swift", "c", "h", "cu", "cuh"]
        var paths: [String] = []
        for folder in ["Sources", "Backends"] {
            let root = repository.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
            for file in files where kinds.contains((file as NSString).pathExtension) {
                let text = (try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)) ?? ""
                if !DocSnippetFile(sourceText: text).blocks.isEmpty { paths.append("\(folder)/\(file)") }
            }
        }
        return paths.sorted()
    }

    /// The fenced blocks of the `///` comments of `path` (from the repository's root).
    init(source path: String) throws {
        try self.init(sourceText: String(contentsOf: DocSnippetFile.repository.appendingPathComponent(path), encoding: .utf8))
    }

    /// The fenced blocks of the `///` comments of `text`, each comment read as Markdown without
    /// its `/// ` prefixes; line numbers are those of the source.
    init(sourceText text: String) {
        var blocks: [Block] = []
        var comment: [String] = []
        var firstLine = 0
        for (index, line) in (text.components(separatedBy: "\n") + [""]).enumerated() {
            let code = line.drop { $0 == " " || $0 == "\t" }
            if code.hasPrefix("///") {
                if comment.isEmpty { firstLine = index + 1 }
                let markdown = code.dropFirst(3)
                comment.append(String(markdown.hasPrefix(" ") ? markdown.dropFirst() : markdown))
            } else if !comment.isEmpty {
                blocks += DocSnippetFile(lines: comment, firstLine: firstLine).blocks
                comment = []
            }
        }
        self.init(blocks: blocks)
    }
}
