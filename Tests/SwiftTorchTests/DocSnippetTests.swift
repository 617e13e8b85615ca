import Foundation
import Testing

/// Keeps the documentation's code honest. A Markdown code block preceded by
/// `<!-- snippet: NAME -->` must equal the region of the same name in DocSnippets.swift,
/// where it compiles and runs; a block preceded by `<!-- output: NAME -->` is text a test
/// compares with what the code printed. In the documents listed in `fullyCovered`, every
/// Swift block must be a snippet or say why it is not run (`<!-- not run: why -->`).
@Suite("Docs: code blocks are tested")
struct DocSnippetTests {
    static let fullyCovered = ["getting-started.md"]

    @Test("every marked block equals its compiled region", arguments: DocSnippetFile.documents)
    func blocksMatchRegions(_ document: String) throws {
        let file = try DocSnippetFile(document)
        let regions = try DocSnippetFile.regions()
        for block in file.blocks where block.marker.kind == "snippet" {
            guard let region = regions[block.marker.name] else {
                Issue.record("\(document): snippet '\(block.marker.name)' has no region in any *Snippets.swift file")
                continue
            }
            #expect(block.text == region, "\(document): snippet '\(block.marker.name)' differs from its region in DocSnippets.swift")
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

    @Test("every region is used by some document")
    func everyRegionIsUsed() throws {
        let used = try DocSnippetFile.documents.flatMap { try DocSnippetFile($0).blocks.map(\.marker.name) }
        for name in try DocSnippetFile.regions().keys {
            #expect(used.contains(name), "*Snippets.swift region '\(name)' is in no document")
        }
    }
}

/// One Markdown document of Docs/ and its fenced code blocks with their markers.
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

    init(_ document: String) throws {
        let text = try String(contentsOf: DocSnippetFile.repository.appendingPathComponent("Docs").appendingPathComponent(document), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var marker = Marker()
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("<!--"), let colon = line.firstIndex(of: ":") {
                let kind = line.dropFirst(4)[..<colon].trimmingCharacters(in: .whitespaces)
                let name = line[line.index(after: colon)...].replacingOccurrences(of: "-->", with: "").trimmingCharacters(in: .whitespaces)
                marker = Marker(kind: kind, name: name)
            } else if line.hasPrefix("```"), !line.dropFirst(3).isEmpty {
                let start = i
                var body: [String] = []
                i += 1
                while i < lines.count, !lines[i].hasPrefix("```") {
                    body.append(lines[i])
                    i += 1
                }
                blocks.append(Block(marker: marker, language: String(line.dropFirst(3)), text: body.joined(separator: "\n"), line: start + 1))
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
    /// CheatSheetSnippets.swift) by name, each without the indentation its lines share.
    static func regions() throws -> [String: String] {
        let folder = repository.appendingPathComponent("Tests/SwiftTorchTests")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix("Snippets.swift") }.sorted()
        var regions: [String: String] = [:]
        for file in files {
            try regions.merge(DocSnippetFile.regions(in: String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))) { first, _ in first }
        }
        return regions
    }

    private static func regions(in source: String) -> [String: String] {
        var regions: [String: String] = [:]
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
                regions[current] = body.map { String($0.dropFirst(Swift.min(indent, $0.count))) }.joined(separator: "\n")
                name = nil
            } else if name != nil {
                body.append(line)
            }
        }
        return regions
    }
}
