import Foundation
import SwiftTorch

/// Reading a model folder's files, with errors that name the reader and the path.
enum ModelFiles {
    /// The bytes of `url`; `reader` names who asked, for the error.
    static func read(_ url: URL, for reader: String) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TorchError(.io, "\(reader): cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// `url` decoded as JSON of type `T`.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ url: URL, for reader: String) throws -> T {
        let data = try read(url, for: reader)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw TorchError(.io, "\(reader): \(url.path) is not the expected JSON: \(error)")
        }
    }
}
