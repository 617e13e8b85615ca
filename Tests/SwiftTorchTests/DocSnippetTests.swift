import Foundation
import Testing

/// Keeps the documentation's code honest. A Markdown code block preceded by
/// `<!-- snippet: NAME -->` must equal the region of the same name in a *Snippets.swift file,
/// where it compiles and runs; a block preceded by `<!-- output: NAME -->` is text a test
/// compares with what the code printed. In the documents listed in `fullyCovered`, every
/// Swift block must be a snippet or say why it is not run (`<!-- not run: why -->`).
@Suite("Docs: code blocks are tested")
struct DocSnippetTests {
    static let fullyCovered = ["getting-started.md", "pytorch-to-swifttorch.md"]

    @Test("every marked block equals its compiled region", arguments: DocSnippetFile.documents)
    func blocksMatchRegions(_ document: String) throws {
        let file = try DocSnippetFile(document)
        let regions = try DocSnippetFile.regions()
        for block in file.blocks where block.marker.kind == "snippet" {
            guard let region = regions[block.marker.name] else {
                Issue.record("\(document): snippet '\(block.marker.name)' has no region in any *Snippets.swift file")
                continue
            }
            #expect(block.text == region, "\(document): snippet '\(block.marker.name)' differs from its region")
        }
    }

    @Test("every Swift block of a fully covered document runs or says why not", arguments: DocSnippetTests.fullyCovered)
    func everySwiftBlockIsCovered(_ document: String) throws {
        let file = try DocSnippetFile(document)
        #expect(!file.blocks.isEmpty)
        for block in file.blocks where block.language == "swift" {
            #expect(["snippet", "not run"].contains(block.marker.kind),
                    "\(document): a swift block at line \(block.line) has no <!-- snippet: NAME --> marker")
        }
    }

    @Test("every region is used by some document or doc comment")
    func everyRegionIsUsed() throws {
        let documents = try DocSnippetFile.documents.map { try DocSnippetFile($0) }
        let comments = try DocSnippetFile.commentedSources.map { try DocSnippetFile(source: $0) }
        let used = Set((documents + comments).flatMap { $0.blocks.map(\.marker.name) }).union(TutorialCode.regionNames())
        for name in try DocSnippetFile.regions().keys where !used.contains(name) {
            Issue.record("*Snippets.swift region '\(name)' is in no document and no doc comment")
        }
    }

    @Test("no two regions share a name")
    func regionNamesAreUnique() throws {
        let names = try DocSnippetFile.snippetFiles().flatMap { DocSnippetFile.regions(in: $0).map(\.name) }
        #expect(!names.isEmpty)
        for (name, count) in Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +) where count > 1 {
            Issue.record("region '\(name)' is defined \(count) times in the *Snippets.swift files")
        }
    }
}

/// Markdown's fenced code blocks with their markers: those of a document of Docs/, or of the
/// `///` doc comments of a source file (see SourceDocSnippetTests).
struct DocSnippetFile {
    struct Marker { var kind = "", name = "" }
    struct Block {
        let marker: Marker
        let language: String
        let text: String
        /// 1-based line of the opening fence.
        let line: Int
    }

    let blocks: [Block]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Markdown files of Docs/.
    static var documents: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("Docs").path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted()
    }

    init(blocks: [Block]) { self.blocks = blocks }

    init(_ document: String) throws {
        let text = try String(contentsOf: DocSnippetFile.repository.appendingPathComponent("Docs").appendingPathComponent(document), encoding: .utf8)
        self.init(lines: text.components(separatedBy: "\n"))
    }

    /// The blocks of Markdown `lines`, the first of which is line `firstLine` of its file. A
    /// fence without a language is a block too, of language "" (a doc comment's tests reject it).
    init(lines: [String], firstLine: Int = 1) {
        var blocks: [Block] = []
        var marker = Marker()
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("<!--"), let colon = line.firstIndex(of: ":") {
                let kind = line.dropFirst(4)[..<colon].trimmingCharacters(in: .whitespaces)
                let name = line[line.index(after: colon)...].replacingOccurrences(of: "-->", with: "").trimmingCharacters(in: .whitespaces)
                marker = Marker(kind: kind, name: name)
            } else if line.hasPrefix("```") {
                let start = i
                var body: [String] = []
                i += 1
                while i < lines.count, !lines[i].hasPrefix("```") {
                    body.append(lines[i])
                    i += 1
                }
                blocks.append(Block(marker: marker, language: String(line.dropFirst(3)), text: body.joined(separator: "\n"), line: firstLine + start))
                marker = Marker()
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                marker = Marker()   // a marker applies to the block right after it
            }
            i += 1
        }
        self.blocks = blocks
    }

    /// The text of the block marked `<!-- output: name -->`.
    func output(_ name: String) throws -> String {
        try #require(blocks.first { $0.marker.kind == "output" && $0.marker.name == name }).text
    }

    /// The regions of the test folder's `*Snippets.swift` files (DocSnippets.swift,
    /// SourceDocSnippets.swift, ...) by name, each without the indentation its lines share.
    static func regions() throws -> [String: String] {
        let regions = try snippetFiles().flatMap(regions(in:)).map { ($0.name, $0.text) }
        return Dictionary(regions, uniquingKeysWith: { first, _ in first })   // regionNamesAreUnique reports the others
    }

    /// The text of each `*Snippets.swift` file of the test folder, and of the seed programs
    /// (Examples/Seeds/Programs), which are examples first and document themselves.
    static func snippetFiles() throws -> [String] {
        let tests = repository.appendingPathComponent("Tests/SwiftTorchTests")
        let seeds = repository.appendingPathComponent("Examples/Seeds/Programs")
        let files = try FileManager.default.contentsOfDirectory(atPath: tests.path).filter { $0.hasSuffix("Snippets.swift") }.sorted()
            .map { tests.appendingPathComponent($0) }
            + FileManager.default.contentsOfDirectory(atPath: seeds.path).filter { $0.hasSuffix(".swift") }.sorted()
            .map { seeds.appendingPathComponent($0) }
        return try files.map { try String(contentsOf: $0, encoding: .utf8) }
    }

    /// The regions of `source` in order, each without the indentation its lines share.
    static func regions(in source: String) -> [(name: String, text: String)] {
        var regions: [(name: String, text: String)] = []
        var name: String?
        var body: [String] = []
        for line in source.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet: ") {
                name = String(trimmed.dropFirst("// snippet: ".count))
                body = []
            } else if trimmed == "// end snippet", let current = name {
                let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                    .map { $0.prefix { $0 == " " }.count }.min() ?? 0
                regions.append((current, body.map { String($0.dropFirst(Swift.min(indent, $0.count))) }.joined(separator: "\n")))
                name = nil
            } else if name != nil {
                body.append(line)
            }
        }
        return regions
    }
}
