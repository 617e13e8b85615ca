import Foundation
import Testing
@testable import SwiftTorch

// The Swift examples of SummaryWriter's doc comment and of Docs/tensorboard.md, kept here
// where they compile and run. Regions lie between `// snippet: NAME` and `// end snippet`.

@Suite("Docs: the TensorBoard examples run")
struct TensorBoardDocSnippets {
    @Test("SummaryWriter logs scalars, a histogram and text")
    func summaryWriter() throws {
        try withDataTestFolder { logDir in
            // snippet: summary-writer
            let writer = try SummaryWriter(logDir: logDir)
            for step in 0..<3 {
                try writer.addScalar("loss/train", 1.0 / Double(step + 1), globalStep: step)
            }
            try writer.addHistogram("weights", try Tensor.randn([100]), globalStep: 2)
            try writer.addText("notes", "a **markdown** note", globalStep: 2)
            try writer.close()
            // end snippet
            let logged = try events(inFolder: logDir)
            #expect(logged.count == 6)
            #expect(logged[5].summary.value[0].tag == "notes/text_summary")
            #expect(logged[4].summary.value[0].histo.num == 100)
        }
    }

    @Test("a training loop logs its loss, accuracy and learning rate per epoch")
    func trainingLoop() throws {
        try withDataTestFolder { logDir in
            manualSeed(0)
            let x = try Tensor.randn([32, 4]), y = try (x.sum(dim: 1) .> 0).to(.int64)
            func accuracy(_ model: Sequential) throws -> Double {
                try Double(model(x).argmax(dim: 1).eq(y).sum().item(Int.self)) / 32
            }
            // snippet: tensorboard-training
            let model = Sequential {
                Linear(4, 16)
                ReLU()
                Linear(16, 2)
            }
            let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
            let writer = try SummaryWriter(logDir: logDir)
            for epoch in 1...5 {
                optimizer.zeroGrad()
                let loss = try CrossEntropyLoss()(model(x), y)
                try loss.backward()
                try optimizer.step()
                try writer.addScalar("loss/train", loss, globalStep: epoch)
                try writer.addScalar("accuracy/train", accuracy(model), globalStep: epoch)
                try writer.addScalar("learning_rate", optimizer.learningRates[0], globalStep: epoch)
            }
            try writer.close()
            // end snippet
            let logged = try events(inFolder: logDir).dropFirst()
            #expect(logged.count == 15)
            #expect(Set(logged.map { $0.summary.value[0].tag }) == ["loss/train", "accuracy/train", "learning_rate"])
            #expect(logged.filter { $0.summary.value[0].tag == "learning_rate" }.allSatisfy { $0.summary.value[0].simpleValue == 0.1 })
        }
    }
}
