import Testing
@testable import SwiftTorch

@Suite("Coverage table")
struct CoverageTableTests {
    let lines = CoverageTable.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

    /// The start of each column in the header line.
    var columnStarts: [Int] {
        var starts: [Int] = []
        var previous: Character = " "
        for (i, c) in lines[0].enumerated() {
            if c != " " && previous == " " { starts.append(i) }
            previous = c
        }
        return starts
    }

    @Test("every row's cells start where the header's columns do")
    func columnsAlign() throws {
        let starts = columnStarts
        #expect(lines[0].hasPrefix("operator"))
        #expect(starts.count == 2 + Runtime.registry.backends.count + 1)
        for line in lines.dropFirst(2).prefix(while: { !$0.isEmpty }) {
            let characters = Array(line)
            for start in starts.dropFirst() {
                // A cell begins at each column start: a space before it and text at it.
                #expect(characters.count > start && characters[start] != " " && characters[start - 1] == " ", "misaligned: \(line)")
            }
        }
    }

    @Test("dtype lists are complete, never cut to the column's width")
    func dtypeListsAreComplete() throws {
        let add = try #require(lines.first { $0.hasPrefix("add ") })
        let cells = add.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // operator, group, then one cell per backend in registration order.
        let openmp = try #require(Runtime.registry.backends.firstIndex { $0.name == "openmp" })
        #expect(cells[2 + openmp] == "bool,f32,f64,i32,i64")
    }
}
