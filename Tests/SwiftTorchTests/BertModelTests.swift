import Foundation
import Testing
import SwiftTorch
import SwiftTorchText

/// The BERT encoder's structure and masking on a small random model (no download needed).
@Suite("BERT model")
struct BertModelTests {
    static let small = BertConfig(vocabSize: 50, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2,
                                  intermediateSize: 16, maxPositionEmbeddings: 16)

    @Test("state-dict keys are Hugging Face's BertModel keys")
    func huggingFaceKeys() throws {
        let keys = try BertModel(Self.small).stateDict().keys
        #expect(keys.count == 5 + 2 * 16)
        for key in ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                    "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
                    "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.value.bias",
                    "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
                    "encoder.layer.1.intermediate.dense.weight", "encoder.layer.1.output.dense.weight",
                    "encoder.layer.1.output.LayerNorm.weight"] {
            #expect(keys.contains(key), "missing \(key)")
        }
        let model = try BertModel(Self.small)
        #expect(model.embeddings.layerNorm.eps == 1e-12)
    }

    @Test("padding keys get no attention: a padded row's real tokens equal the unpadded row's", arguments: ["reference", "openmp", "blas"])
    func maskedPadding(backend: String) throws {
        let model = try BertModel(Self.small).eval()
        try Runtime.withBackend(backend) {
            try withNoGrad {
                let alone = try model(Tensor([5, 6, 7], shape: [1, 3]), attentionMask: Tensor([1, 1, 1], shape: [1, 3]))
                let padded = try model(Tensor([5, 6, 7, 0, 0], shape: [1, 5]), attentionMask: Tensor([1, 1, 1, 0, 0], shape: [1, 5]))
                let a = try alone.toArray(of: Double.self)
                let b = try padded.narrow(dim: 1, start: 0, length: 3).toArray(of: Double.self)
                #expect(a.count == 24)
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(a.prefix(4)) vs \(b.prefix(4))")
                let unmasked = try model(Tensor([5, 6, 7, 0, 0], shape: [1, 5])).narrow(dim: 1, start: 0, length: 3).toArray(of: Double.self)
                #expect(zip(a, unmasked).contains { abs($0 - $1) > 1e-4 }, "without the mask the padding should change the output")
            }
        }
    }

    @Test("a config it cannot run is refused by name")
    func unsupportedConfig() throws {
        var config = Self.small
        config.hiddenAct = "relu"
        #expect(throws: TorchError.self) { try BertModel(config) }
        config = Self.small
        config.numAttentionHeads = 3
        let error = #expect(throws: TorchError.self) { try BertModel(config) }
        #expect(error?.message.contains("num_attention_heads 3") == true)
    }

    @Test("input longer than max_position_embeddings is an error, not a crash")
    func tooLong() throws {
        let model = try BertModel(Self.small).eval()
        #expect(throws: TorchError.self) { try model(Tensor.zeros([1, 17], dtype: .int64)) }
    }
}
