// Lists the public symbols of a symbol graph that have no `///` summary, and fails if any.
//
//     swift scripts/doc-coverage.swift DIR_OF_SYMBOL_GRAPHS [REPOSITORY_ROOT]
//
// scripts/docs.sh runs it on the graph DocC builds from (SwiftTorch with SwiftTorchCore's
// re-exported symbols), so what it checks is exactly what the documentation shows. DocC itself
// does not warn about undocumented symbols. Left out, because no `///` can be written for them:
// symbols without a source location (a raw-value `init(rawValue:)`, a synthesized Codable
// `init(from:)`, a `@TaskLocal`'s `$projection`), members a protocol's default implementation
// adds (`::SYNTHESIZED::`), and extension blocks.
import Foundation

struct SymbolGraph: Decodable {
    struct Symbol: Decodable {
        struct Identifier: Decodable { let precise: String }
        struct Kind: Decodable { let identifier: String }
        struct Location: Decodable {
            struct Position: Decodable { let line: Int }
            let uri: String
            let position: Position
        }
        struct DocComment: Decodable {
            struct Line: Decodable { let text: String }
            let lines: [Line]
        }
        let identifier: Identifier
        let kind: Kind
        let pathComponents: [String]
        let location: Location?
        let docComment: DocComment?
    }
    let symbols: [Symbol]
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: swift doc-coverage.swift SYMBOL_GRAPH_DIR [REPOSITORY_ROOT]\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1])
let root = URL(fileURLWithPath: arguments.count > 2 ? arguments[2] : FileManager.default.currentDirectoryPath)
    .standardizedFileURL.path + "/"

var missing: [(place: String, line: Int, text: String)] = []
var checked = 0
let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".symbols.json") }.sorted()
for file in files {
    let graph = try JSONDecoder().decode(SymbolGraph.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
    for symbol in graph.symbols {
        guard let location = symbol.location,
              !symbol.identifier.precise.contains("::SYNTHESIZED::"),
              symbol.kind.identifier != "swift.extension" else { continue }
        checked += 1
        let summary = symbol.docComment?.lines.first { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
        guard summary == nil else { continue }
        let path = (URL(string: location.uri)?.path ?? location.uri).replacingOccurrences(of: root, with: "")
        let kind = symbol.kind.identifier.replacingOccurrences(of: "swift.", with: "")
        missing.append((path, location.position.line + 1, "\(kind) \(symbol.pathComponents.joined(separator: "."))"))
    }
}

guard checked > 0 else {
    print("doc coverage: no symbols with a source location in \(folder.path); is it a symbol graph folder?")
    exit(1)
}
if missing.isEmpty {
    print("doc coverage: all \(checked) public symbols have a /// summary")
    exit(0)
}
for entry in missing.sorted(by: { ($0.place, $0.line) < ($1.place, $1.line) }) {
    print("\(entry.place):\(entry.line): no /// summary: \(entry.text)")
}
print("doc coverage: \(missing.count) of \(checked) public symbols have no /// summary (listed above)")
exit(1)
