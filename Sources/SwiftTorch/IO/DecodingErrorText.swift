/// A decoding error in a sentence: where in the document (`cases.Index 3.inputs`) and what
/// was wrong, without the Swift type dump of `DecodingError`'s own description. File readers
/// put this in their errors.
func explain(decodingError error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
        let path = c.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? c.debugDescription : "at \(path): \(c.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}
