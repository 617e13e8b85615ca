import Foundation
import Testing
import SwiftTorch

// The examples of the sequence layers' `///` comments and of Docs/getting-started.md's
// sequence-model section, kept here where they compile and run (see SourceDocSnippets.swift
// for the mechanism). Lines around a region check what the example claims.

@Suite("Docs: the sequence layers' examples run")
struct SequenceSnippets {
    @Test("RNN with ReLU, batch first")
    func rnnRelu() throws {
        // snippet: rnn-relu
        let rnn = RNN(8, 16, nonlinearity: .relu, batchFirst: true)
        let (output, h) = try rnn(Tensor.randn([4, 10, 8]))   // [4, 10, 16], [1, 4, 16]
        // end snippet
        #expect(output.shape == [4, 10, 16])
        #expect(h.shape == [1, 4, 16])
        #expect(try output.min().item() >= 0)
    }

    @Test("a bidirectional two-layer LSTM")
    func lstmBidirectional() throws {
        // snippet: lstm-bidirectional
        let lstm = LSTM(8, 16, numLayers: 2, batchFirst: true, bidirectional: true)
        let (output, state) = try lstm(Tensor.randn([4, 10, 8]))   // output [4, 10, 32]
        let lastHidden = state.h                                      // [4, 4, 16]: layers · directions first
        // end snippet
        #expect(output.shape == [4, 10, 32])
        #expect(lastHidden.shape == [4, 4, 16])
        #expect(state.c.shape == [4, 4, 16])
    }

    @Test("a GRU from an initial state")
    func gruInitialState() throws {
        // snippet: gru-initial-state
        let gru = GRU(8, 16)
        let h0 = try Tensor.zeros([1, 4, 16])
        let (output, h) = try gru(Tensor.randn([10, 4, 8]), h0)   // [10, 4, 16], [1, 4, 16]
        // end snippet
        #expect(output.shape == [10, 4, 16])
        #expect(h.shape == [1, 4, 16])
        #expect(try (output[9] - h[0]).abs().max().item() == 0)   // the last step is the final state
    }

    @Test("multi-head attention with a key padding mask")
    func multiheadAttention() throws {
        // snippet: multihead-attention
        let attention = MultiheadAttention(embedDim: 16, numHeads: 4, batchFirst: true)
        let x = try Tensor.randn([2, 5, 16])
        let padding = try Tensor([[false, false, false, true, true], [false, false, false, false, false]])
        let (output, weights) = try attention(x, x, x, keyPaddingMask: padding)
        // output [2, 5, 16]; weights [2, 5, 5], averaged over the heads, zero on padded keys
        // end snippet
        let w = try #require(weights)
        #expect(output.shape == [2, 5, 16])
        #expect(w.shape == [2, 5, 5])
        #expect(try w[0, .all, 3...].abs().max().item() == 0)
        #expect(try (w.sum(dim: -1) - 1).abs().max().item() < 1e-5)
    }

    @Test("a pre-norm GELU encoder layer with the causal mask")
    func encoderLayer() throws {
        // snippet: transformer-encoder-layer
        let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, dropout: 0,
                                            activation: .gelu, batchFirst: true, normFirst: true)
        let y = try layer(Tensor.randn([2, 10, 32]), mask: Transformer.generateSquareSubsequentMask(10), isCausal: true)
        // end snippet
        #expect(y.shape == [2, 10, 32])
    }

    @Test("an encoder of two layers with a final norm")
    func encoder() throws {
        // snippet: transformer-encoder
        let layer = TransformerEncoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
        let encoder = TransformerEncoder(layer, numLayers: 2, norm: LayerNorm(32))
        let mask = try Transformer.generateSquareSubsequentMask(10)
        let y = try encoder(Tensor.randn([2, 10, 32]), mask: mask, isCausal: true)   // [2, 10, 32]
        // end snippet
        #expect(y.shape == [2, 10, 32])
        #expect(encoder.stateDict().keys.contains("layers.1.self_attn.in_proj_weight"))
        #expect(encoder.stateDict().keys.last == "norm.bias")
    }

    @Test("a decoder layer attending to memory")
    func decoderLayer() throws {
        // snippet: transformer-decoder-layer
        let layer = TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true)
        let memory = try Tensor.randn([2, 7, 32])
        let y = try layer(Tensor.randn([2, 5, 32]), memory: memory,
                          tgtMask: Transformer.generateSquareSubsequentMask(5), tgtIsCausal: true)   // [2, 5, 32]
        // end snippet
        #expect(y.shape == [2, 5, 32])
    }

    @Test("a decoder of two layers")
    func decoder() throws {
        // snippet: transformer-decoder
        let decoder = TransformerDecoder(TransformerDecoderLayer(dModel: 32, nhead: 4, dimFeedforward: 64), numLayers: 2)
        let y = try decoder(Tensor.randn([5, 2, 32]), memory: Tensor.randn([7, 2, 32]))   // [5, 2, 32]
        // end snippet
        #expect(y.shape == [5, 2, 32])
    }

    @Test("an encoder-decoder Transformer")
    func transformer() throws {
        // snippet: transformer-model
        let model = Transformer(dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64)
        let tgtMask = try Transformer.generateSquareSubsequentMask(5)
        let y = try model(Tensor.randn([7, 2, 32]), Tensor.randn([5, 2, 32]), tgtMask: tgtMask)   // [5, 2, 32]
        // end snippet
        #expect(y.shape == [5, 2, 32])
        #expect(model.stateDict().keys.contains("decoder.layers.1.multihead_attn.out_proj.weight"))
    }

    @Test("the causal mask")
    func squareSubsequentMask() throws {
        // snippet: square-subsequent-mask
        let mask = try Transformer.generateSquareSubsequentMask(3)
        // [[0, -inf, -inf],
        //  [0,    0, -inf],
        //  [0,    0,    0]]
        // end snippet
        let inf = Double.infinity
        #expect(try mask.toArray(of: Double.self) == [0, -inf, -inf, 0, 0, -inf, 0, 0, 0])
    }

    @Test("getting started: an LSTM reads the digits row by row")
    func lstmClassifier() throws {
        let digits = try Digits.load()
        // snippet: sequence-lstm-classifier
        final class RowReader: Module, UnaryLayer {
            let lstm = LSTM(8, 64, batchFirst: true)   // 8 features per step
            let head = Linear(64, 10)
            func callAsFunction(_ x: Tensor) throws -> Tensor {
                let (_, state) = try lstm(x)             // x [N, 8 steps, 8]; state.h [1, N, 64]
                return try head(state.h[0])
            }
        }
        let rows = try (digits.features / 16.0).reshape([-1, 8, 8])
        print(try RowReader()(rows[0..<4]).shape)      // [4, 10]
        // end snippet
        #expect(try RowReader()(rows[0..<4]).shape == [4, 10])
        #expect(RowReader().namedParameters().map(\.0).first == "lstm.weight_ih_l0")
    }

    @Test("getting started: a causal encoder")
    func causalEncoder() throws {
        // snippet: sequence-causal-encoder
        let layer = TransformerEncoderLayer(dModel: 64, nhead: 4, dimFeedforward: 256, activation: .gelu,
                                            batchFirst: true, normFirst: true)
        let encoder = TransformerEncoder(layer, numLayers: 2, norm: LayerNorm(64))
        let embedded = try Tensor.randn([8, 32, 64])                    // [batch, time, features]
        let causal = try Transformer.generateSquareSubsequentMask(32)    // -inf above the diagonal
        let hidden = try encoder(embedded, mask: causal, isCausal: true) // position t sees 0...t
        // end snippet
        #expect(hidden.shape == [8, 32, 64])
        // Changing the last position leaves every earlier output as it was.
        let changed = try embedded.clone()
        try changed.set(.all, 31, to: 0.0)
        encoder.eval()
        let (a, b) = try (encoder(embedded, mask: causal, isCausal: true), encoder(changed, mask: causal, isCausal: true))
        #expect(try (a[.all, 0..<31] - b[.all, 0..<31]).abs().max().item() < 1e-5)
        #expect(try (a[.all, 31] - b[.all, 31]).abs().max().item() > 1e-3)
    }
}
