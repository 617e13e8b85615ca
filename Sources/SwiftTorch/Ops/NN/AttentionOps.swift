import SwiftTorchCore

#if canImport(Glibc)
import Glibc
#endif

// Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention:
// softmax(query @ key.T * scale + mask) @ value, with dropout on the attention weights.
// The public operator checks the call and draws the dropout seed; the fused operator
// computes each query row's softmax in one pass over its keys, never materialising the
// [L, S] weights, a mask tensor or a causal mask, and returns the row's log-sum-exp for
// the gradient.

enum Attention {
    /// The checked shapes of a call: broadcast batch dims, query length L, key length S,
    /// feature size E and value size Ev.
    struct Plan {
        let batch: [Int]
        let queryLength: Int, keyLength: Int, features: Int, valueFeatures: Int
    }

    static func describeCall(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ mask: Tensor?) -> String {
        "query \(q.dtype)\(describe(shape: q.shape)), key \(k.dtype)\(describe(shape: k.shape)), value \(v.dtype)\(describe(shape: v.shape))"
            + (mask.map { ", attn_mask \($0.dtype)\(describe(shape: $0.shape))" } ?? "")
    }

    /// PyTorch's rules: query [..., L, E], key [..., S, E], value [..., S, Ev] of one
    /// floating-point dtype with broadcastable batch dims; a mask of bool or the query's
    /// dtype that broadcasts to [..., L, S]; not both a mask and is_causal.
    static func plan(_ op: String, _ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, dropoutP: Double) throws -> Plan {
        let call = describeCall(q, k, v, mask)
        guard q.rank >= 2, k.rank >= 2, v.rank >= 2 else {
            throw TorchError(.shapeMismatch, "\(op): query, key and value need at least 2 dims ([..., length, features]), got \(call)")
        }
        guard q.dtype.isFloatingPoint, k.dtype == q.dtype, v.dtype == q.dtype else {
            throw TorchError(.dtypeMismatch, "\(op): query, key and value must share one floating-point dtype, got \(call)")
        }
        let (l, e) = (q.shape[q.rank - 2], q.shape[q.rank - 1])
        let (s, ek) = (k.shape[k.rank - 2], k.shape[k.rank - 1])
        guard e == ek else {
            throw TorchError(.shapeMismatch, "\(op): query and key must have the same feature size (last dim), got \(call)")
        }
        guard v.shape[v.rank - 2] == s else {
            throw TorchError(.shapeMismatch, "\(op): key and value must have the same length (dim -2), got \(call)")
        }
        guard dropoutP >= 0, dropoutP <= 1 else {
            throw TorchError(.invalidArgument, "\(op): dropout_p must be in [0, 1], got \(dropoutP)")
        }
        let batch = try Meta.broadcastShape(op, [Array(q.shape.dropLast(2)), Array(k.shape.dropLast(2)), Array(v.shape.dropLast(2))])
        if let mask {
            guard !isCausal else {
                throw TorchError(.invalidArgument, "\(op): an explicit attn_mask must not be set when is_causal=True, got \(call)")
            }
            guard mask.dtype == .bool || mask.dtype == q.dtype else {
                throw TorchError(.dtypeMismatch, "\(op): attn_mask must be bool or have the query's dtype \(q.dtype), got \(call)")
            }
            guard (try? Meta.broadcastShape(op, [mask.shape, batch + [l, s]])) == batch + [l, s] else {
                throw TorchError(.shapeMismatch, "\(op): attn_mask must broadcast to the attention weights' shape \(describe(shape: batch + [l, s])), got \(call)")
            }
        }
        return Plan(batch: batch, queryLength: l, keyLength: s, features: e, valueFeatures: v.shape[v.rank - 1])
    }
}

extension Op {
    /// `softmax(query @ key.T * scale + mask) @ value`. A bool `attn_mask` keeps the
    /// positions where it is true; a float one is added to the scores; `is_causal` keeps
    /// key j for query i when j <= i. `scale` defaults to 1 / sqrt(E). A query whose keys
    /// are all masked out gets zeros (PyTorch's safe softmax). Dropout with probability
    /// `dropout_p` is applied to the weights, its mask drawn from the default generator.
    public static let scaledDotProductAttention = declare(OperatorDefinition(
        "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float dropout_p=0.0, bool is_causal=False, *, float? scale=None) -> Tensor",
        group: .nn,
        composite: { args in
            let q = args.tensor("query"), k = args.tensor("key"), v = args.tensor("value")
            let p = args.double("dropout_p")
            let plan = try Attention.plan("scaled_dot_product_attention", q, k, v, mask: args.optionalTensor("attn_mask"),
                                          isCausal: args.bool("is_causal"), dropoutP: p)
            let scale = args.optionalDouble("scale") ?? 1 / Double(plan.features).squareRoot()
            let seed = p > 0 ? DropoutMask.seed(from: .default) : 0
            return [try dispatchAll(fusedAttention, [.tensor(q), .tensor(k), .tensor(v), args["attn_mask"], .double(p),
                                                     args["is_causal"], .double(scale), .int(seed)])[0]]
        }))

    /// The fused attention: output [batch..., L, Ev] and the log-sum-exp of each query's
    /// scaled, masked scores [batch..., L] (-inf for a fully masked query). Kernels see
    /// query, key, value and mask as views broadcast over the batch dims. The dropout mask
    /// is the one `native_dropout` draws with `seed` over the [batch..., L, S] weights.
    public static let fusedAttention = declare(OperatorDefinition(
        "_scaled_dot_product_fused_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask, float dropout_p, bool is_causal, float scale, int seed) -> (Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let op = "_scaled_dot_product_fused_attention"
            let q = args.tensor("query"), k = args.tensor("key"), v = args.tensor("value")
            let plan = try Attention.plan(op, q, k, v, mask: args.optionalTensor("attn_mask"), isCausal: args.bool("is_causal"),
                                          dropoutP: args.double("dropout_p"))
            let (b, l, s) = (plan.batch, plan.queryLength, plan.keyLength)
            args["query"] = .tensor(Meta.broadcastView(q, to: b + [l, plan.features]))
            args["key"] = .tensor(Meta.broadcastView(k, to: b + [s, plan.features]))
            args["value"] = .tensor(Meta.broadcastView(v, to: b + [s, plan.valueFeatures]))
            if let mask = args.optionalTensor("attn_mask") { args["attn_mask"] = .tensor(Meta.broadcastView(mask, to: b + [l, s])) }
            return [TensorSpec(b + [l, plan.valueFeatures], q.dtype), TensorSpec(b + [l], q.dtype)]
        }, derivative: AttentionGrad.fusedAttention))
}
