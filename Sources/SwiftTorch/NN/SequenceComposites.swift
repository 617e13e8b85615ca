import SwiftTorchCore

// Stand-ins for the sequence operators that branch wip-seqops adds (`masked_fill`,
// `tril`/`triu`, `scaled_dot_product_attention`, `lstm_cell`, `gru_cell`, `rnn_tanh_cell`),
// written over operators that exist today so that the recurrent and attention modules run
// before those land. This file goes when the real operators arrive; nothing public uses it.
enum SequenceComposites {
    /// `x` with `value` where `mask` is true (PyTorch's `masked_fill`).
    static func maskedFill(_ x: Tensor, _ mask: Tensor, value: Double) throws -> Tensor {
        try `where`(mask, Tensor.full([], value, dtype: x.dtype, device: x.device), x)
    }

    /// Boolean `[rows, columns]`, true strictly above the diagonal: the positions a causal
    /// mask hides (`triu(ones, diagonal: 1)`).
    static func aboveDiagonal(_ rows: Int, _ columns: Int, device: Device) throws -> Tensor {
        let row = try Tensor.arange(rows, device: device).unsqueeze(1)
        let column = try Tensor.arange(columns, device: device).unsqueeze(0)
        return try column .> row
    }

    /// `softmax(q kᵀ * scale + mask) v` over the last two dims, with the attention weights
    /// (after dropout, as PyTorch's multi-head attention returns them). `mask` is additive
    /// (float) and broadcasts against `[..., L, S]`.
    static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, scale: Double,
                          dropoutP: Double, training: Bool, generator: Generator) throws -> (output: Tensor, weights: Tensor) {
        var scores = try q.matmul(k.transpose(-2, -1)) * scale
        if let mask { scores = try scores + mask }
        var weights = try scores.softmax(dim: -1)
        if training, dropoutP > 0 { weights = try dropout(weights, p: dropoutP, training: true, generator: generator) }
        return (try weights.matmul(v), weights)
    }

    /// One LSTM step from the gate pre-activations `gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh`
    /// (`[B, 4H]`, PyTorch's gate order i, f, g, o): `(h', c')`.
    static func lstmPointwise(_ gates: Tensor, _ c: Tensor) throws -> (Tensor, Tensor) {
        let hidden = c.shape[c.rank - 1]
        func gate(_ i: Int) throws -> Tensor { try gates.narrow(dim: -1, start: i * hidden, length: hidden) }
        let c2 = try gate(1).sigmoid() * c + gate(0).sigmoid() * gate(2).tanh()
        return (try gate(3).sigmoid() * c2.tanh(), c2)
    }

    /// One GRU step from the input projection `gi = x W_ihᵀ + b_ih` and the hidden projection
    /// `gh = h W_hhᵀ + b_hh` (`[B, 3H]`, gate order r, z, n): `h'`.
    static func gruPointwise(_ gi: Tensor, _ gh: Tensor, _ h: Tensor) throws -> Tensor {
        let hidden = h.shape[h.rank - 1]
        func part(_ t: Tensor, _ i: Int) throws -> Tensor { try t.narrow(dim: -1, start: i * hidden, length: hidden) }
        let r = try (part(gi, 0) + part(gh, 0)).sigmoid()
        let z = try (part(gi, 1) + part(gh, 1)).sigmoid()
        let n = try (part(gi, 2) + r * part(gh, 2)).tanh()
        // (1 - z) * n + z * h, written as n + z * (h - n): one operator fewer per step.
        return try n + z * (h - n)
    }
}
