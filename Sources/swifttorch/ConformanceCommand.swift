import ArgumentParser
import SwiftTorch

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Runs operator case files on each backend and compares with their expected values.")

    @Argument(help: "Case files in the swifttorch-conformance/1 format.")
    var files: [String]

    @Option(name: .long, help: "A backend to run (repeatable); default: every available backend.")
    var backend: [String] = []

    @Option(name: .long, help: "Only cases whose id contains this text or matches this * pattern.")
    var filter: String?

    @Flag(name: .long, help: "List every skipped case with its reason.")
    var showSkipped = false

    func run() throws {
        var cases: [ConformanceCase] = []
        for file in files { cases += try ConformanceFile.load(file).cases }
        let report = try ConformanceRunner(backends: backend, filter: filter).run(cases)
        print(report.render(verboseSkips: showSkipped))
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
