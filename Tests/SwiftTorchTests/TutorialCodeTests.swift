import Foundation
import Testing

/// Keeps the DocC tutorial's code honest, as DocSnippetTests does for Docs/*.md. Each step of a
/// `.tutorial` file of the catalog shows a code file, `@Code(name: ..., file: "NAME.swift")`.
/// scripts/docs.sh writes those files from the regions of TutorialSnippets.swift, where the code
/// compiles and runs: NAME.swift is region NAME, and `tutorial-program.swift`, the last step, is
/// the imports and then every `tutorial-` region in the file's order. These tests check that the
/// steps show exactly those regions, in that order, so the program is what the steps build.
@Suite("Docs: the DocC tutorial shows the code the tests run")
struct TutorialCodeTests {
    @Test("every step shows a region of TutorialSnippets.swift, each once, in the file's order")
    func stepsShowTheRegionsInOrder() throws {
        let regions = try TutorialCode.regions()
        let steps = try TutorialCode.stepFiles()
        #expect(regions.count >= 5, "TutorialSnippets.swift has \(regions.count) tutorial- regions")
        for name in steps where !regions.contains(name) {
            Issue.record("the tutorial shows \(name).swift, but TutorialSnippets.swift has no region '\(name)'")
        }
        for name in regions where !steps.contains(name) {
            Issue.record("region '\(name)' of TutorialSnippets.swift is shown by no step of the tutorial")
        }
        #expect(steps == regions, "the tutorial's steps show \(steps); TutorialSnippets.swift's regions are \(regions)")
    }

    @Test("the last step shows the whole program")
    func lastStepIsTheProgram() throws {
        #expect(try TutorialCode.shownFiles().last == TutorialCode.program)
    }

    @Test("a @Code line's file name is read without its .swift")
    func parsesCodeLines() {
        let files = TutorialCode.shownFiles(in: """
            @Step {
                Load the data.
                @Code(name: "main.swift (1 of 2)", file: "tutorial-data.swift")
            }
            @Code(name: "main.swift", file:"tutorial-program.swift")
            """)
        #expect(files == ["tutorial-data", "tutorial-program"])
    }
}

/// The code files that the catalog's `.tutorial` files show, and the regions they come from.
enum TutorialCode {
    static let catalog = DocSnippetFile.repository.appendingPathComponent("Sources/SwiftTorch/SwiftTorch.docc")
    /// The file of the tutorial's last step: the complete program.
    static let program = "tutorial-program"

    /// The `tutorial-` regions of TutorialSnippets.swift, in the file's order.
    static func regions() throws -> [String] {
        let url = DocSnippetFile.repository.appendingPathComponent("Tests/SwiftTorchTests/TutorialSnippets.swift")
        return DocSnippetFile.regions(in: try String(contentsOf: url, encoding: .utf8)).map(\.name).filter { $0.hasPrefix("tutorial-") }
    }

    /// The code files the steps show, without `.swift`, in order, the whole program left out.
    static func stepFiles() throws -> [String] {
        try shownFiles().filter { $0 != program }
    }

    /// Every code file the `.tutorial` files show, without `.swift`, in order.
    static func shownFiles() throws -> [String] {
        let folder = catalog.appendingPathComponent("Tutorials")
        let tutorials = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tutorial") }.sorted()
        return try tutorials.flatMap { try shownFiles(in: String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The files named by the `@Code(... file: "NAME.swift")` lines of `text`, without `.swift`.
    static func shownFiles(in text: String) -> [String] {
        text.components(separatedBy: "\n").compactMap { line in
            guard line.contains("@Code("), let range = line.range(of: #"file: *"[^"]+\.swift""#, options: .regularExpression) else { return nil }
            return String(line[range].drop { $0 != "\"" }.dropFirst().dropLast(".swift\"".count))
        }
    }

    /// The regions the tutorial shows, for DocSnippetTests' check that every region is used.
    static func regionNames() -> Set<String> {
        Set((try? stepFiles()) ?? [])
    }
}
