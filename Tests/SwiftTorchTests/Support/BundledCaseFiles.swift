import Foundation
import SwiftTorch
import SwiftTorchCore

/// The conformance case files in the test bundle's Resources, each decoded once (decoding
/// is the slow part).
enum BundledCaseFiles {
    static func load(_ names: [String]) -> [String: Result<ConformanceFile, any Error>] {
        Dictionary(uniqueKeysWithValues: names.map { name in
            (name, Result {
                guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources") else {
                    throw TorchError(.io, "\(name).json is missing from the test bundle's Resources")
                }
                return try ConformanceFile.load(url.path)
            })
        })
    }
}
