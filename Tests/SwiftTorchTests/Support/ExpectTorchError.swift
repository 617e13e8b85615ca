import SwiftTorch
import SwiftTorchCore
import Testing

/// Records an issue unless `body` throws a ``TorchError`` of `kind` whose message contains
/// each of `words` (the operator, the shapes or dtypes, the rule broken).
func expectTorchError(_ kind: TorchError.Kind, mentioning words: [String], _ body: () throws -> Any,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try body()
        Issue.record("expected a \(kind) error mentioning \(words)", sourceLocation: sourceLocation)
    } catch let error as TorchError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        for word in words {
            #expect(error.message.contains(word), "'\(error.message)' does not mention '\(word)'", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}
