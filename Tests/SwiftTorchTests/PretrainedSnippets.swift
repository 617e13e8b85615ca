import Foundation
import Testing
import SwiftTorch
import SwiftTorchText

// The pretrained-model block of Docs/getting-started.md, where it compiles and runs (see
// DocSnippets.swift for the convention). It needs the model scripts/fetch-minilm.sh downloads.

@Suite("Docs: loading a pretrained model runs")
struct PretrainedSnippets {
    @Test("BERT from safetensors by its Hugging Face names, the tokenizer, sentence embeddings")
    func pretrainedMiniLM() throws {
        let folder = try PretrainedMiniLMTests.modelFolder()
        // snippet: pretrained-bert
        let bert = try BertModel.pretrained(folder)   // config.json + model.safetensors, in eval mode
        let tokenizer = try BertTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.txt"), maxLength: 256)
        let batch = try tokenizer.encodeBatch(["A man is eating food.", "Someone is having a meal."])
        let hidden = try withNoGrad { try bert(batch.inputIDs, attentionMask: batch.attentionMask) }
        print(hidden.shape)                           // [2, 8, 384]: one vector per token

        let embedder = try SentenceEmbedder(folder: folder)
        let vectors = try embedder.embed(["A man is eating food.", "Someone is having a meal.", "It will rain tomorrow."])
        let similarity = try vectors.matmul(vectors.t())   // unit rows: cosine similarities
        print(try similarity[0, 1].item(Float.self) > similarity[0, 2].item(Float.self))   // true
        // end snippet
        #expect(hidden.shape == [2, 8, 384])
        #expect(vectors.shape == [3, 384])
        #expect(try similarity[0, 1].item(Float.self) > similarity[0, 2].item(Float.self) + 0.2)
    }
}
