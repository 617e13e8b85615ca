// `print(model)` in PyTorch's format: the class name, then the layer's own settings
// (`extraRepr`, PyTorch's `extra_repr`) and its children, one per line, indented by two
// spaces per level:
//
//     Sequential(
//       (0): Linear(in_features=784, out_features=128, bias=True)
//       (1): ReLU()
//     )
//
// A property holding an array of modules prints as PyTorch's `ModuleList`, whose runs of
// identical children print once (`(0-1): 2 x Linear(...)`).

extension Module: CustomStringConvertible {
    /// The module tree in PyTorch's `repr` format.
    public var description: String {
        let extraLines = extraRepr.isEmpty ? [] : extraRepr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let childLines = printedChildren().map { "(\($0.name)): \(Module.indented($0.text))" }
        return Module.block(String(describing: type(of: self)), extraLines: extraLines, childLines: childLines)
    }

    /// The children as they print: each one by name, except that the elements of an array
    /// property (`blocks.0`, `blocks.1`) print together as one `ModuleList`.
    private func printedChildren() -> [(name: String, text: String)] {
        var result: [(name: String, text: String)] = []
        var lists: [String: [Module]] = [:]
        for (name, module) in children() {
            guard let dot = name.firstIndex(of: ".") else {
                result.append((name, module.description))
                continue
            }
            let list = String(name[..<dot])
            if lists[list] == nil { result.append((list, "")) }
            lists[list, default: []].append(module)
        }
        return result.map { entry in
            guard let members = lists[entry.name] else { return entry }
            return (entry.name, Module.moduleList(members))
        }
    }

    /// PyTorch's `ModuleList.__repr__`: consecutive children with the same text print once,
    /// as `(first-last): count x text`.
    private static func moduleList(_ members: [Module]) -> String {
        var runs: [(first: Int, last: Int, text: String)] = []
        for (i, module) in members.enumerated() {
            let text = module.description
            if let previous = runs.last, previous.text == text {
                runs[runs.count - 1].last = i
            } else {
                runs.append((i, i, text))
            }
        }
        let lines = runs.map { run in
            run.first == run.last ? "(\(run.first)): \(indented(run.text))"
                : "(\(run.first)-\(run.last)): \(run.last - run.first + 1) x \(indented(run.text))"
        }
        return block("ModuleList", extraLines: [], childLines: lines)
    }

    /// `Name(extra)` on one line when there is one line of settings and no children, else
    /// one line per setting and child between `Name(` and `)`.
    private static func block(_ name: String, extraLines: [String], childLines: [String]) -> String {
        let lines = extraLines + childLines
        if lines.isEmpty { return name + "()" }
        if extraLines.count == 1, childLines.isEmpty { return "\(name)(\(extraLines[0]))" }
        return name + "(\n  " + lines.joined(separator: "\n  ") + "\n)"
    }

    /// `text` with every line but the first indented by two spaces (PyTorch's `_addindent`).
    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : "  " + $0.element }
            .joined(separator: "\n")
    }
}

/// How PyTorch's reprs spell Swift values: `True`/`False`, `None`, tuples `(3, 3)` and
/// one-element tuples `(10,)`, strings in single quotes. Doubles print as Python's `repr`
/// does (`1e-05`, `0.1`), which is Swift's own shortest round-trip form.
enum PythonLiteral {
    static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    static func optional(_ value: Double?) -> String { value.map { "\($0)" } ?? "None" }

    static func tuple(_ values: [Int]) -> String {
        values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    }

    static func string(_ value: String) -> String { "'\(value)'" }

    /// A pooling size as given: one int prints as an int, a pair as a tuple.
    static func intOrPair(_ value: IntOrPair) -> String {
        value.values.count == 1 ? "\(value.values[0])" : tuple(value.values)
    }

    /// A convolution size, which PyTorch always stores as a pair.
    static func pair(_ value: IntOrPair) -> String { tuple([value.height, value.width]) }
}
