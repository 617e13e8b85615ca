import SwiftTorchCore

/// Attention from `numHeads` heads in parallel, as PyTorch's `nn.MultiheadAttention`:
/// `out_proj(concat(head_1 … head_h))` with `head_i = softmax(q_i k_iᵀ / sqrt(d) + mask) v_i`
/// and `q, k, v` the input projections of query, key and value.
///
/// Parameters under PyTorch's keys: `in_proj_weight` `[3E, E]` when keys and values have the
/// embedding size, else `q_proj_weight` `[E, E]`, `k_proj_weight` `[E, kdim]` and
/// `v_proj_weight` `[E, vdim]`; `in_proj_bias` `[3E]`; `out_proj.weight` and
/// `out_proj.bias`. Initialised as PyTorch does: Xavier-uniform projections, zero biases.
/// PyTorch's `add_bias_kv` and `add_zero_attn` are not offered. The output projection
/// is a ``NonDynamicallyQuantizableLinear``, as in PyTorch.
///
/// <!-- snippet: multihead-attention -->
/// ```swift
/// let attention = MultiheadAttention(embedDim: 16, numHeads: 4, batchFirst: true)
/// let x = try Tensor.randn([2, 5, 16])
/// let padding = try Tensor([[false, false, false, true, true], [false, false, false, false, false]])
/// let (output, weights) = try attention(x, x, x, keyPaddingMask: padding)
/// // output [2, 5, 16]; weights [2, 5, 5], averaged over the heads, zero on padded keys
/// ```
public final class MultiheadAttention: Module {
    /// The model's embedding size `E` (query features and output features).
    public let embedDim: Int
    /// Features of the key input.
    public let kdim: Int
    /// Features of the value input.
    public let vdim: Int
    /// Parallel heads; each attends over `embedDim / numHeads` features.
    public let numHeads: Int
    /// Dropout probability on the attention weights, in training mode.
    public let dropout: Double
    /// Whether inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    public let batchFirst: Bool
    /// Where the dropout masks come from.
    public let generator: Generator

    /// The stacked query, key and value projections `[3E, E]` (when kdim and vdim are E).
    @Parameter public var inProjWeight: Tensor?
    /// The query projection `[E, E]` (when kdim or vdim differ from E).
    @Parameter public var qProjWeight: Tensor?
    /// The key projection `[E, kdim]` (when kdim or vdim differ from E).
    @Parameter public var kProjWeight: Tensor?
    /// The value projection `[E, vdim]` (when kdim or vdim differ from E).
    @Parameter public var vProjWeight: Tensor?
    /// The stacked projection biases `[3E]`, nil with `bias: false`.
    @Parameter public var inProjBias: Tensor?
    /// The output projection `E → E`.
    public let outProj: NonDynamicallyQuantizableLinear

    /// Features per head.
    public var headDim: Int { numHeads > 0 ? embedDim / numHeads : 0 }

    /// PyTorch's constructor: `nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0,
    /// bias=True, kdim=None, vdim=None, batch_first=False)`. A bad size, or memory that cannot
    /// be had, is thrown by the first forward call.
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, kdim: Int? = nil, vdim: Int? = nil,
                batchFirst: Bool = false, dtype: DType = .defaultFloat, device: Device? = nil, generator: Generator = .default) {
        let kdim = kdim ?? embedDim, vdim = vdim ?? embedDim
        self.embedDim = embedDim
        self.kdim = kdim
        self.vdim = vdim
        self.numHeads = numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        self.generator = generator
        let sameSizes = kdim == embedDim && vdim == embedDim
        let outProj = NonDynamicallyQuantizableLinear(embedDim, embedDim, bias: bias, dtype: dtype, device: device, generator: generator)
        self.outProj = outProj
        let made = LayerTensors("MultiheadAttention") { () throws -> (inProj: Tensor?, q: Tensor?, k: Tensor?, v: Tensor?, bias: Tensor?) in
            guard embedDim > 0, numHeads > 0, kdim > 0, vdim > 0 else {
                throw TorchError(.invalidArgument, "MultiheadAttention: embed_dim, num_heads, kdim and vdim must be positive, got embed_dim=\(embedDim), num_heads=\(numHeads), kdim=\(kdim), vdim=\(vdim)")
            }
            guard embedDim % numHeads == 0 else {
                throw TorchError(.invalidArgument, "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim=\(embedDim), num_heads=\(numHeads)")
            }
            guard (0...1).contains(dropout) else {
                throw TorchError(.invalidArgument, "MultiheadAttention: dropout must be in [0, 1], got \(dropout)")
            }
            func xavier(_ shape: [Int]) throws -> Tensor {
                try Init.xavierUniform(Tensor.zeros(shape, dtype: dtype, device: device), generator: generator)
            }
            // PyTorch's _reset_parameters: Xavier-uniform projections, zero biases (out_proj's too).
            let projections: (Tensor?, Tensor?, Tensor?, Tensor?) = sameSizes
                ? (try xavier([3 * embedDim, embedDim]), nil, nil, nil)
                : (nil, try xavier([embedDim, embedDim]), try xavier([embedDim, kdim]), try xavier([embedDim, vdim]))
            if let outBias = outProj.bias { try withNoGrad { _ = try outBias.zero_() } }
            return (projections.0, projections.1, projections.2, projections.3,
                    bias ? try Tensor.zeros([3 * embedDim], dtype: dtype, device: device) : nil)
        }
        inProjWeight = made.value?.inProj
        qProjWeight = made.value?.q
        kProjWeight = made.value?.k
        vProjWeight = made.value?.v
        inProjBias = made.value?.bias
        super.init()
        constructionError = made.error ?? outProj.constructionError
    }

    /// Attends from `query` to `key`/`value` and returns the output, with the attention
    /// weights when `needWeights` (averaged over the heads, or per head `[N, heads, L, S]`).
    ///
    /// Shapes (`L` target length, `S` source length, `N` batch): query `[L, N, E]`, key
    /// `[S, N, kdim]`, value `[S, N, vdim]` (batch first with `batchFirst`; 2-d without a batch).
    /// `keyPaddingMask` `[N, S]`: true (or `-inf`) marks keys to ignore. `attnMask` `[L, S]`
    /// or `[N · heads, L, S]`: true marks pairs that may not attend; a float mask is added
    /// to the scores. `isCausal` is PyTorch's hint that `attnMask` is the causal mask: it
    /// needs one, as in PyTorch.
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
                               isCausal: Bool = false) throws -> (output: Tensor, weights: Tensor?) {
        try throwConstructionError()
        let batched = try checkInputs(query, key, value)
        // Work batch-first and batched: [N, L, E].
        func layout(_ t: Tensor) throws -> Tensor { batched ? (batchFirst ? t : try t.transpose(0, 1)) : try t.unsqueeze(0) }
        let (q, k, v) = try project(layout(query), layout(key), layout(value), selfAttention: query === key && key === value)
        let (n, l, s) = (q.shape[0], q.shape[1], k.shape[1])
        func heads(_ t: Tensor) throws -> Tensor { try t.reshape([n, t.shape[1], numHeads, headDim]).transpose(1, 2) }

        if isCausal, attnMask == nil {
            throw TorchError(.invalidArgument, "MultiheadAttention: Need attn_mask if specifying the is_causal hint. You may use Transformer.generateSquareSubsequentMask to create this mask.")
        }
        // PyTorch trusts the causal hint when nothing else must be merged into the mask and
        // no weights are asked for: it attends causally without reading the mask.
        let causalHint = isCausal && keyPaddingMask == nil && !needWeights
        var mask: Tensor?
        if !causalHint {
            mask = try attnMask.map { try attentionMask($0, batch: n, target: l, source: s, dtype: q.dtype, batched: batched) }
            if let keyPaddingMask {
                let padding = try paddingMask(keyPaddingMask, batch: n, source: s, dtype: q.dtype, batched: batched)
                mask = try mask.map { try $0 + padding } ?? padding
            }
        }
        let dropoutP = isTraining ? dropout : 0
        let attended: Tensor
        var weights: Tensor?
        if needWeights || (dropoutP > 0 && generator !== Generator.default) {
            (attended, weights) = try attentionWithWeights(heads(q), heads(k), heads(v), mask: mask, dropoutP: dropoutP)
        } else {
            // The fused kernel (one pass per query row, the [L, S] weights never kept), as
            // PyTorch's fast path; its dropout draws from the default generator.
            attended = try scaledDotProductAttention(heads(q), heads(k), heads(v), attnMask: mask, dropoutP: dropoutP,
                                                     isCausal: causalHint)
        }
        var output = try outProj(attended.transpose(1, 2).reshape([n, l, embedDim]))
        output = batched ? (batchFirst ? output : try output.transpose(0, 1)) : try output.squeeze(0)
        guard needWeights, let weights else { return (output, nil) }
        var returned = averageAttnWeights ? try weights.mean(dim: 1) : weights
        if !batched { returned = try returned.squeeze(0) }
        return (output, returned)
    }

    /// `softmax(q kᵀ / sqrt(d) + mask)`, dropped out, times `v`, with those weights: the
    /// path PyTorch takes when the weights are returned (they are the dropped-out ones).
    private func attentionWithWeights(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?,
                                      dropoutP: Double) throws -> (Tensor, Tensor) {
        var scores = try q.matmul(k.transpose(-2, -1)) * (1 / Double(headDim).squareRoot())
        if let mask { scores = try scores + mask }
        var weights = try scores.softmax(dim: -1)
        if dropoutP > 0 { weights = try SwiftTorch.dropout(weights, p: dropoutP, training: true, generator: generator) }
        return (try weights.matmul(v), weights)
    }

    /// Checks ranks and feature sizes as PyTorch does; returns whether the call is batched.
    private func checkInputs(_ query: Tensor, _ key: Tensor, _ value: Tensor) throws -> Bool {
        let shapes = "query \(describe(shape: query.shape)), key \(describe(shape: key.shape)), value \(describe(shape: value.shape))"
        guard query.rank == 2 || query.rank == 3 else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: query should be unbatched 2D or batched 3D tensor but received \(query.rank)-D query tensor (\(shapes))")
        }
        guard key.rank == query.rank, value.rank == query.rank else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: for \(query.rank)-D query, key and value should also be \(query.rank)-D (\(shapes))")
        }
        guard query.shape.last == embedDim, key.shape.last == kdim, value.shape.last == vdim else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: expected query, key and value feature sizes \(embedDim), \(kdim), \(vdim) (embed_dim, kdim, vdim), got \(shapes)")
        }
        guard key.shape.dropLast() == value.shape.dropLast() else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: key shape \(describe(shape: key.shape)) does not match value shape \(describe(shape: value.shape))")
        }
        let batched = query.rank == 3
        let batchDim = batchFirst ? 0 : 1
        guard !batched || query.shape[batchDim] == key.shape[batchDim] else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: query and key must have the same batch size (\(shapes), batch_first=\(PythonLiteral.bool(batchFirst)))")
        }
        guard query.dtype == key.dtype, key.dtype == value.dtype, query.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "MultiheadAttention: query, key and value must share one floating-point dtype, got \(query.dtype), \(key.dtype), \(value.dtype)")
        }
        return batched
    }

    /// The input projections of `[N, ·, ·]` query, key and value; self-attention with
    /// `in_proj_weight` takes one matrix product for all three, as PyTorch does.
    private func project(_ query: Tensor, _ key: Tensor, _ value: Tensor, selfAttention: Bool) throws -> (Tensor, Tensor, Tensor) {
        func biasPart(_ i: Int) throws -> Tensor? { try inProjBias?.narrow(dim: 0, start: i * embedDim, length: embedDim) }
        if let inProjWeight {
            if selfAttention {
                let qkv = try linear(query, weight: inProjWeight, bias: inProjBias)
                return try (qkv.narrow(dim: -1, start: 0, length: embedDim), qkv.narrow(dim: -1, start: embedDim, length: embedDim),
                            qkv.narrow(dim: -1, start: 2 * embedDim, length: embedDim))
            }
            func part(_ i: Int) throws -> Tensor { try inProjWeight.narrow(dim: 0, start: i * embedDim, length: embedDim) }
            return try (linear(query, weight: part(0), bias: biasPart(0)), linear(key, weight: part(1), bias: biasPart(1)),
                        linear(value, weight: part(2), bias: biasPart(2)))
        }
        guard let qProjWeight, let kProjWeight, let vProjWeight else {
            throw TorchError(.invalidArgument, "MultiheadAttention: the module has neither in_proj_weight nor q/k/v_proj_weight")
        }
        return try (linear(query, weight: qProjWeight, bias: biasPart(0)), linear(key, weight: kProjWeight, bias: biasPart(1)),
                    linear(value, weight: vProjWeight, bias: biasPart(2)))
    }

    /// `attnMask` as an additive float mask that broadcasts against `[N, heads, L, S]`.
    private func attentionMask(_ mask: Tensor, batch: Int, target: Int, source: Int, dtype: DType, batched: Bool) throws -> Tensor {
        let additive = try Self.additive(mask, dtype: dtype, name: "attn_mask")
        if mask.rank == 2 {
            guard mask.shape == [target, source] else {
                throw TorchError(.shapeMismatch, "MultiheadAttention: The shape of the 2D attn_mask is \(describe(shape: mask.shape)), but should be \(describe(shape: [target, source])).")
            }
            return additive
        }
        let expected = batched ? [batch * numHeads, target, source] : [numHeads, target, source]
        guard mask.rank == 3, mask.shape == expected else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: attn_mask must be 2-D \(describe(shape: [target, source])) or 3-D \(describe(shape: expected)), got \(mask.rank)-D \(describe(shape: mask.shape))")
        }
        return try additive.reshape([batch, numHeads, target, source])
    }

    /// `keyPaddingMask` `[N, S]` (`[S]` unbatched) as an additive mask `[N, 1, 1, S]`.
    private func paddingMask(_ mask: Tensor, batch: Int, source: Int, dtype: DType, batched: Bool) throws -> Tensor {
        let expected = batched ? [batch, source] : [source]
        guard mask.shape == expected else {
            throw TorchError(.shapeMismatch, "MultiheadAttention: expecting key_padding_mask shape of \(describe(shape: expected)), but got \(describe(shape: mask.shape))")
        }
        return try Self.additive(mask, dtype: dtype, name: "key_padding_mask").reshape([batch, 1, 1, source])
    }

    /// A boolean mask (true = masked) as `-inf`/0, a float mask converted to `dtype`.
    static func additive(_ mask: Tensor, dtype: DType, name: String) throws -> Tensor {
        if mask.dtype == .bool {
            return try Tensor.zeros(mask.shape, dtype: dtype, device: mask.device).maskedFill(mask, value: -.infinity)
        }
        guard mask.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "MultiheadAttention: only bool and floating types of \(name) are supported, got \(mask.dtype)")
        }
        return try mask.to(dtype)
    }
}
