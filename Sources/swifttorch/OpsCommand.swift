import ArgumentParser
import SwiftTorch

struct OpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops", abstract: "The coverage table: operators by backends.")

    func run() throws {
        print(CoverageTable.render())
    }
}
