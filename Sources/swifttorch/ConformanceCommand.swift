import ArgumentParser
import Foundation
import SwiftTorch

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Runs operator case files and module-fixture files on each backend and compares with their expected values.")

    @Argument(help: "Case files in the swifttorch-conformance/1 format, or module-fixture JSON files (with the .safetensors of the same stem beside each).")
    var files: [String]

    @Option(name: .long, help: "A backend to run (repeatable); default: every available backend.")
    var backend: [String] = []

    @Option(name: .long, help: "Only cases whose id contains this text or matches this * pattern.")
    var filter: String?

    @Flag(name: .long, help: "List every skipped case with its reason.")
    var showSkipped = false

    func run() throws {
        var cases: [ConformanceCase] = []
        var reports: [ConformanceReport] = []
        for file in files {
            if ModuleFixtureFile.isModuleFixtureFile(URL(fileURLWithPath: file)) {
                // A module-fixture file: one result per fixture and backend, in group "module".
                let (report, inferred) = try ModuleFixtureRunner(backends: backend, filter: filter).run(ModuleFixtureFile.load(file))
                for line in inferred { print("options of \(line)") }
                reports.append(report)
            } else {
                cases += try ConformanceFile.load(file).cases
            }
        }
        if !cases.isEmpty { reports.append(try ConformanceRunner(backends: backend, filter: filter).run(cases)) }
        let report = ConformanceReport(merging: reports)
        print(report.render(verboseSkips: showSkipped))
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
