import Foundation
import Testing
@testable import SwiftTorch

@Suite("Sequence modules: options, keys, printing and errors as PyTorch's")
struct SequenceModuleTests {
    @Test("LSTM's state-dict keys and shapes follow PyTorch's order, reverse directions included")
    func lstmKeys() throws {
        let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true)
        let keys = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                    "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                    "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"]
        #expect(lstm.stateDict().keys == keys)
        #expect(lstm.stateDict()["weight_ih_l0"]?.shape == [16, 3])
        #expect(lstm.stateDict()["weight_ih_l1"]?.shape == [16, 8])   // reads both directions of layer 0
        #expect(lstm.stateDict()["weight_hh_l1_reverse"]?.shape == [16, 4])
        #expect(GRU(3, 4, bias: false).stateDict().keys == ["weight_ih_l0", "weight_hh_l0"])
        #expect(RNN(3, 4).parameters().count == 4)
    }

    @Test("recurrent weights start uniform in [-1/sqrt(H), 1/sqrt(H))")
    func recurrentInitialisation() throws {
        let gru = GRU(10, 25)
        let bound = 1 / 5.0
        for (_, p) in gru.namedParameters() {
            #expect(try p.abs().max().item() < bound)
            #expect(try p.abs().max().item() > 0.9 * bound)
        }
    }

    @Test("reprs print as PyTorch's")
    func printing() throws {
        #expect("\(LSTM(3, 4, numLayers: 2, batchFirst: true, dropout: 0.25, bidirectional: true))"
                == "LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.25, bidirectional=True)")
        #expect("\(GRU(3, 4, bias: false))" == "GRU(3, 4, bias=False)")
        #expect("\(RNN(3, 4, nonlinearity: .relu))" == "RNN(3, 4)")   // PyTorch does not show the nonlinearity
        let encoder = TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 2, norm: LayerNorm(8))
        #expect("\(encoder)" == """
            TransformerEncoder(
              (layers): ModuleList(
                (0-1): 2 x TransformerEncoderLayer(
                  (self_attn): MultiheadAttention(
                    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
                  )
                  (linear1): Linear(in_features=8, out_features=16, bias=True)
                  (dropout): Dropout(p=0.1, inplace=False)
                  (linear2): Linear(in_features=16, out_features=8, bias=True)
                  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
                  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
                  (dropout1): Dropout(p=0.1, inplace=False)
                  (dropout2): Dropout(p=0.1, inplace=False)
                )
              )
              (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
            )
            """)
    }

    @Test("MultiheadAttention: separate projections when kdim or vdim differ, PyTorch's keys and init")
    func attentionKeys() throws {
        let separate = MultiheadAttention(embedDim: 8, numHeads: 2, kdim: 5, vdim: 3)
        #expect(separate.stateDict().keys == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        #expect(separate.kProjWeight?.shape == [8, 5])
        let shared = MultiheadAttention(embedDim: 8, numHeads: 2, bias: false)
        #expect(shared.stateDict().keys == ["in_proj_weight", "out_proj.weight"])
        let withBias = MultiheadAttention(embedDim: 8, numHeads: 2)
        #expect(try withBias.inProjBias!.abs().max().item() == 0)
        #expect(try withBias.outProj.bias!.abs().max().item() == 0)
        // Xavier-uniform over [24, 8]: bound sqrt(6 / 32).
        #expect(try withBias.inProjWeight!.abs().max().item() < (6.0 / 32).squareRoot())
    }

    @Test("stacked layers start as copies of the layer given, as PyTorch's deep copy")
    func stackedLayersAreCopies() throws {
        let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
        let encoder = TransformerEncoder(layer, numLayers: 2)
        let a = try #require(encoder.stateDict()["layers.0.linear1.weight"])
        let b = try #require(encoder.stateDict()["layers.1.linear1.weight"])
        #expect(try a.toArray(of: Float.self) == layer.linear1.weight.toArray(of: Float.self))
        #expect(try a.toArray(of: Float.self) == b.toArray(of: Float.self))
        #expect(a !== layer.linear1.weight)   // own tensors, trained apart
    }

    @Test("an unbatched 2-d input gives what a batch of one gives")
    func unbatchedInput() throws {
        manualSeed(3)
        let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true)
        let x = try Tensor.randn([5, 3])
        let (single, state) = try lstm(x)
        let (batched, batchedState) = try lstm(x.unsqueeze(1))
        #expect(single.shape == [5, 8])
        #expect(state.h.shape == [4, 4])
        #expect(try (single - batched.squeeze(1)).abs().max().item() == 0)
        #expect(try (state.c - batchedState.c.squeeze(1)).abs().max().item() == 0)
        let attention = MultiheadAttention(embedDim: 4, numHeads: 2)
        let q = try Tensor.randn([3, 4])
        let (out, weights) = try attention(q, q, q)
        #expect(out.shape == [3, 4])
        #expect(weights?.shape == [3, 3])
    }

    @Test("dropout between layers acts in training mode only, never after the last layer")
    func interLayerDropout() throws {
        manualSeed(4)
        let lstm = LSTM(3, 4, numLayers: 2, dropout: 0.5)
        let x = try Tensor.randn([6, 2, 3])
        lstm.eval()
        let (a, _) = try lstm(x)
        let (b, _) = try lstm(x)
        #expect(try (a - b).abs().max().item() == 0)
        lstm.train()
        let (c, _) = try lstm(x)
        #expect(try (a - c).abs().max().item() > 1e-4)
        let single = LSTM(3, 4, dropout: 0.5)   // one layer: PyTorch applies no dropout at all
        let (d, _) = try single(x)
        let (e, _) = try single.eval()(x)
        #expect(try (d - e).abs().max().item() == 0)
    }

    @Test("bad inputs throw errors that name the module, the shapes and the rule")
    func errors() throws {
        let lstm = LSTM(3, 4, numLayers: 2)
        #expect(throws: TorchError.self) { try lstm(Tensor.randn([2, 5, 3, 1])) }
        do {
            _ = try lstm(Tensor.randn([5, 2, 6]))
            Issue.record("a wrong feature size should throw")
        } catch let error as TorchError {
            #expect(error.message == "LSTM: input.size(-1) must be equal to input_size. Expected 3, got 6 (input shape [5, 2, 6])")
        }
        do {
            _ = try lstm(Tensor.randn([5, 2, 3]), (h: Tensor.zeros([1, 2, 4]), c: Tensor.zeros([2, 2, 4])))
            Issue.record("a wrong state shape should throw")
        } catch let error as TorchError {
            #expect(error.message == "LSTM: Expected h_0 size (2, 2, 4), got [1, 2, 4]")
        }
        do {
            _ = try GRU(3, 0)(Tensor.randn([5, 2, 3]))
            Issue.record("hidden size 0 should throw")
        } catch let error as TorchError {
            #expect(error.message == "GRU: hidden_size must be greater than zero, got 0")
        }
        do {
            _ = try MultiheadAttention(embedDim: 10, numHeads: 3)(Tensor.randn([2, 1, 10]), Tensor.randn([2, 1, 10]), Tensor.randn([2, 1, 10]))
            Issue.record("10 features over 3 heads should throw")
        } catch let error as TorchError {
            #expect(error.message == "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim=10, num_heads=3")
        }
        let attention = MultiheadAttention(embedDim: 4, numHeads: 2)
        let x = try Tensor.randn([3, 2, 4])
        #expect(throws: TorchError.self) { try attention(x, x, x, isCausal: true) }   // the hint needs a mask, as in PyTorch
        #expect(throws: TorchError.self) { try attention(x, x, x, attnMask: Tensor.zeros([2, 3])) }
        #expect(throws: TorchError.self) { try attention(x, x, x, keyPaddingMask: Tensor.zeros([3, 2], dtype: .int64)) }
    }

    @Test("a boolean attention mask equals the float mask with -inf where true")
    func booleanMaskEqualsFloatMask() throws {
        manualSeed(5)
        let attention = MultiheadAttention(embedDim: 4, numHeads: 2)
        let x = try Tensor.randn([3, 2, 4])
        let float = try Transformer.generateSquareSubsequentMask(3)
        let boolean = try float.lt(0)
        let (a, wa) = try attention(x, x, x, attnMask: float)
        let (b, wb) = try attention(x, x, x, attnMask: boolean)
        #expect(try (a - b).abs().max().item() == 0)
        #expect(try (wa! - wb!).abs().max().item() == 0)
        #expect(try wa![0, 0, 1...].abs().max().item() == 0)   // the first position sees only itself
        // The causal hint (with its mask, no weights asked) gives the same output.
        let (c, _) = try attention(x, x, x, needWeights: false, attnMask: float, isCausal: true)
        #expect(try (a - c).abs().max().item() < 1e-6)
    }
}
