import COpenMPKernels
import SwiftTorchCore

// The sequence-model kernels of the OpenMP backend (omp_sequence.h): masked_fill (the
// strided where with the value seen through stride 0), tril/triu, leaky_relu and elu on
// any view; the fused LSTM/GRU gates on row-strided operands; fused attention on views
// broadcast over the batch dims. Meta rules (Sources/SwiftTorch/Ops) have checked shapes
// and dtypes.

enum SequenceOMP {
    /// Kernels for every dtype: they move elements as bits.
    static let anyDTypeKernels: [(String, Kernel)] = [
        ("masked_fill", { call in
            let x = call.arguments.tensor("self"), mask = call.arguments.tensor("mask"), value = call.arguments.tensor("value")
            let out = call.output
            try ElementwiseOMP.require("masked_fill", [x, value], shape: out.shape, dtype: out.dtype)
            try ElementwiseOMP.require("masked_fill", [mask], shape: out.shape, dtype: .bool)
            let status = StridedLoop.run(out.shape, [StridedOperand(out), StridedOperand(mask), StridedOperand(value), StridedOperand(x)]) { g, p in
                st_ew_where(StridedLoop.code(out.dtype), g, p[0], p[1].assumingMemoryBound(to: UInt8.self), p[2], p[3])
            }
            try ElementwiseOMP.check("masked_fill", status, [out.dtype])
        }),
        ("tril", triangle(upper: false)),
        ("triu", triangle(upper: true)),
    ]

    /// float32 and float64 kernels.
    static let floatKernels: [(String, Kernel)] = [
        ("leaky_relu", activation("leaky_relu") { call, dtype, g, out, x in
            st_leaky_relu(dtype, g, out, x, call.arguments.double("negative_slope"))
        }),
        ("elu", activation("elu") { call, dtype, g, out, x in
            st_elu(dtype, g, out, x, call.arguments.double("alpha"), call.arguments.double("scale"), call.arguments.double("input_scale"))
        }),
        ("_thnn_fused_lstm_cell", fusedLstmCell),
        ("_thnn_fused_lstm_cell_backward_impl", fusedLstmCellBackward),
        ("_thnn_fused_gru_cell", fusedGruCell),
        ("_thnn_fused_gru_cell_backward", fusedGruCellBackward),
        ("_lstm_layer", lstmLayer),
        ("_lstm_layer_backward", lstmLayerBackward),
        ("_scaled_dot_product_fused_attention", fusedAttention),
    ]

    /// The element offset of each matrix of `t` (its trailing `inner` dims) in row-major
    /// order of the leading dims, for kernels that walk any view matrix by matrix.
    static func matrixOffsets(_ t: Tensor, inner: Int) -> [Int64] {
        let lead = t.rank - inner
        let count = t.shape.prefix(lead).reduce(1, *)
        var offsets = [Int64](repeating: Int64(t.offset), count: count)
        var index = [Int](repeating: 0, count: lead), current = t.offset
        for m in 0..<count {
            offsets[m] = Int64(current)
            // Odometer over the leading dims, moving the offset with it.
            var d = lead - 1
            while d >= 0 {
                index[d] += 1
                current += t.strides[d]
                if index[d] < t.shape[d] { break }
                current -= index[d] * t.strides[d]
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }

    private static func triangle(upper: Bool) -> Kernel {
        { call in
            let x = call.arguments.tensor("self"), out = call.output, op = upper ? "triu" : "tril"
            let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
            guard out.count > 0 else { return }
            let offsets = matrixOffsets(x, inner: 2)
            let status = offsets.withUnsafeBufferPointer { o in
                st_triangle(Int64(x.dtype.itemSize), Int64(offsets.count), Int64(rows), Int64(columns), Int64(call.arguments.int("diagonal")),
                            upper ? 1 : 0, x.storage.data, o.baseAddress, Int64(x.strides[x.rank - 2]), Int64(x.strides[x.rank - 1]),
                            out.storage.data + out.offset * out.dtype.itemSize)
            }
            try ReductionGeometry.check(status, op)
        }
    }

    private static func activation(_ name: String,
                                   _ body: @escaping @Sendable (KernelCall, Int32, UnsafePointer<st_ew_geometry>, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32) -> Kernel {
        { call in
            let x = call.arguments.tensor("self"), out = call.output
            try ElementwiseOMP.require(name, x, shape: out.shape, dtype: out.dtype)
            let dtype = StridedLoop.code(out.dtype)
            let status = StridedLoop.run(out.shape, StridedOperand(out), StridedOperand(x)) { g, p in body(call, dtype, g, p[0], p[1]) }
            try ElementwiseOMP.check(name, status, [out.dtype])
        }
    }

    /// A gate or state operand with unit column stride (copied when it has none) and its
    /// row stride; one row may have any stride, so its width stands in.
    private static func rowStrided(_ t: Tensor, _ op: String) throws -> (Tensor, Int64) {
        let dense = t.shape[1] <= 1 || t.strides[1] == 1 ? t : try DenseOperands.contiguous(t, op)
        return (dense, Int64(dense.shape[0] > 1 ? dense.strides[0] : dense.shape[1]))
    }

    /// The operands of a fused cell: row-strided gates and state, contiguous biases, and
    /// the geometry describing them.
    private struct CellOperands {
        let inputGates: Tensor, hiddenGates: Tensor, state: Tensor, inputBias: Tensor?, hiddenBias: Tensor?
        var geometry: st_cell_geometry

        init(_ args: Arguments, state name: String, _ op: String) throws {
            let (ig, igLd) = try rowStrided(args.tensor("input_gates"), op), (hg, hgLd) = try rowStrided(args.tensor("hidden_gates"), op)
            let (h, hLd) = try rowStrided(args.tensor(name), op)
            (inputGates, hiddenGates, state) = (ig, hg, h)
            inputBias = try DenseOperands.optional(args.optionalTensor("input_bias"), op)
            hiddenBias = try DenseOperands.optional(args.optionalTensor("hidden_bias"), op)
            geometry = st_cell_geometry(batch: Int64(h.shape[0]), hidden: Int64(h.shape[1]), input_ld: igLd, hidden_ld: hgLd, state_ld: hLd)
        }
    }

    private static let fusedLstmCell: Kernel = { call in
        let op = "_thnn_fused_lstm_cell"
        var c = try CellOperands(call.arguments, state: "cx", op)
        let (hy, cy, ws) = (call.outputs[0], call.outputs[1], call.outputs[2])
        try DenseOperands.byDType(op, c.state.dtype,
            float32: { st_fused_lstm_cell_f32(&c.geometry, ptr(c.inputGates), ptr(c.hiddenGates), ptr(c.state), ptr(c.inputBias), ptr(c.hiddenBias), ptr(hy), ptr(cy), ptr(ws)) },
            float64: { st_fused_lstm_cell_f64(&c.geometry, ptr(c.inputGates), ptr(c.hiddenGates), ptr(c.state), ptr(c.inputBias), ptr(c.hiddenBias), ptr(hy), ptr(cy), ptr(ws)) })
    }

    private static let fusedLstmCellBackward: Kernel = { call in
        let args = call.arguments, op = "_thnn_fused_lstm_cell_backward_impl"
        let gh = try DenseOperands.optional(args.optionalTensor("grad_hy"), op), gc = try DenseOperands.optional(args.optionalTensor("grad_cy"), op)
        let cx = try DenseOperands.contiguous(args.tensor("cx"), op), cy = try DenseOperands.contiguous(args.tensor("cy"), op)
        let ws = try DenseOperands.contiguous(args.tensor("workspace"), op)
        let (gates, gradCx) = (call.outputs[0], call.outputs[1])
        let bias = args.bool("has_bias") ? call.outputs[2] : nil
        let (batch, hidden) = (Int64(cx.shape[0]), Int64(cx.shape[1]))
        try DenseOperands.byDType(op, cx.dtype,
            float32: { st_fused_lstm_cell_backward_f32(batch, hidden, ptr(gh), ptr(gc), ptr(cx), ptr(cy), ptr(ws), ptr(gates), ptr(gradCx), ptr(bias)) },
            float64: { st_fused_lstm_cell_backward_f64(batch, hidden, ptr(gh), ptr(gc), ptr(cx), ptr(cy), ptr(ws), ptr(gates), ptr(gradCx), ptr(bias)) })
    }

    private static let fusedGruCellBackward: Kernel = { call in
        let args = call.arguments, op = "_thnn_fused_gru_cell_backward"
        let gy = try DenseOperands.contiguous(args.tensor("grad_hy"), op), hx = try DenseOperands.contiguous(args.tensor("hx"), op)
        let ws = try DenseOperands.contiguous(args.tensor("workspace"), op)
        let (input, hidden, gradHx) = (call.outputs[0], call.outputs[1], call.outputs[2])
        let (inputBias, hiddenBias) = args.bool("has_bias") ? (call.outputs[3], call.outputs[4]) : (nil, nil)
        let (batch, size) = (Int64(hx.shape[0]), Int64(hx.shape[1]))
        try DenseOperands.byDType(op, hx.dtype,
            float32: { st_fused_gru_cell_backward_f32(batch, size, ptr(gy), ptr(hx), ptr(ws), ptr(input), ptr(hidden), ptr(gradHx), ptr(inputBias), ptr(hiddenBias)) },
            float64: { st_fused_gru_cell_backward_f64(batch, size, ptr(gy), ptr(hx), ptr(ws), ptr(input), ptr(hidden), ptr(gradHx), ptr(inputBias), ptr(hiddenBias)) })
    }

    /// A layer's sizes: its steps, and the batch and hidden size of a state [batch, hidden].
    private static func layerGeometry(steps: Int, state: Tensor, _ args: Arguments) -> st_lstm_layer_geometry {
        st_lstm_layer_geometry(steps: Int64(steps), batch: Int64(state.shape[0]), hidden: Int64(state.shape[1]), reverse: args.bool("reverse") ? 1 : 0)
    }

    /// The whole recurrence in one call (st_lstm_layer_*), every operand made contiguous.
    private static let lstmLayer: Kernel = { call in
        let args = call.arguments, op = "_lstm_layer"
        let gates = try DenseOperands.contiguous(args.tensor("input_gates"), op)
        let hx = try DenseOperands.contiguous(args.tensor("hx"), op), cx = try DenseOperands.contiguous(args.tensor("cx"), op)
        let wHh = try DenseOperands.contiguous(args.tensor("w_hh"), op), bias = try DenseOperands.optional(args.optionalTensor("bias"), op)
        let out = call.outputs
        var g = layerGeometry(steps: gates.shape[0], state: hx, args)
        try DenseOperands.byDType(op, gates.dtype,
            float32: { st_lstm_layer_f32(&g, ptr(gates), ptr(hx), ptr(cx), ptr(wHh), ptr(bias), ptr(out[0]), ptr(out[3]), ptr(out[4]), ptr(out[1]), ptr(out[2])) },
            float64: { st_lstm_layer_f64(&g, ptr(gates), ptr(hx), ptr(cx), ptr(wHh), ptr(bias), ptr(out[0]), ptr(out[3]), ptr(out[4]), ptr(out[1]), ptr(out[2])) })
    }

    /// The recurrence backwards in one call (st_lstm_layer_backward_*); absent gradients are NULL.
    private static let lstmLayerBackward: Kernel = { call in
        let args = call.arguments, op = "_lstm_layer_backward"
        let go = try DenseOperands.optional(args.optionalTensor("grad_output"), op)
        let ghn = try DenseOperands.optional(args.optionalTensor("grad_hn"), op), gcn = try DenseOperands.optional(args.optionalTensor("grad_cn"), op)
        let cx = try DenseOperands.contiguous(args.tensor("cx"), op), wHh = try DenseOperands.contiguous(args.tensor("w_hh"), op)
        let cs = try DenseOperands.contiguous(args.tensor("cs"), op), ws = try DenseOperands.contiguous(args.tensor("workspace"), op)
        let out = call.outputs
        var g = layerGeometry(steps: cs.shape[0], state: cx, args)
        try DenseOperands.byDType(op, cx.dtype,
            float32: { st_lstm_layer_backward_f32(&g, ptr(go), ptr(ghn), ptr(gcn), ptr(cx), ptr(wHh), ptr(cs), ptr(ws), ptr(out[0]), ptr(out[1]), ptr(out[2])) },
            float64: { st_lstm_layer_backward_f64(&g, ptr(go), ptr(ghn), ptr(gcn), ptr(cx), ptr(wHh), ptr(cs), ptr(ws), ptr(out[0]), ptr(out[1]), ptr(out[2])) })
    }

    private static let fusedGruCell: Kernel = { call in
        let op = "_thnn_fused_gru_cell"
        var c = try CellOperands(call.arguments, state: "hx", op)
        let (hy, ws) = (call.outputs[0], call.outputs[1])
        try DenseOperands.byDType(op, c.state.dtype,
            float32: { st_fused_gru_cell_f32(&c.geometry, ptr(c.inputGates), ptr(c.hiddenGates), ptr(c.state), ptr(c.inputBias), ptr(c.hiddenBias), ptr(hy), ptr(ws)) },
            float64: { st_fused_gru_cell_f64(&c.geometry, ptr(c.inputGates), ptr(c.hiddenGates), ptr(c.state), ptr(c.inputBias), ptr(c.hiddenBias), ptr(hy), ptr(ws)) })
    }

    /// Views as they are: per-batch offsets and in-matrix strides (0 where meta broadcast).
    private static let fusedAttention: Kernel = { call in
        let args = call.arguments, op = "_scaled_dot_product_fused_attention"
        let q = args.tensor("query"), k = args.tensor("key"), v = args.tensor("value"), mask = args.optionalTensor("attn_mask")
        let (out, lse) = (call.outputs[0], call.outputs[1])
        guard out.count > 0 || lse.count > 0 else { return }
        let (qo, ko, vo) = (matrixOffsets(q, inner: 2), matrixOffsets(k, inner: 2), matrixOffsets(v, inner: 2))
        let mo = mask.map { matrixOffsets($0, inner: 2) }
        func stride(_ t: Tensor?, _ fromEnd: Int) -> Int64 { t.map { Int64($0.strides[$0.rank - fromEnd]) } ?? 0 }
        let seed = UInt64(bitPattern: Int64(args.int("seed")))
        let kind: Int32 = switch mask?.dtype {
        case nil: ST_ATTN_MASK_NONE
        case .bool?: ST_ATTN_MASK_BOOL
        default: ST_ATTN_MASK_ADD
        }
        try qo.withUnsafeBufferPointer { qp in
            try ko.withUnsafeBufferPointer { kp in
                try vo.withUnsafeBufferPointer { vp in
                    try (mo ?? []).withUnsafeBufferPointer { mp in
                        var p = st_attention(
                            batch: Int64(qo.count), query_length: Int64(q.shape[q.rank - 2]), key_length: Int64(k.shape[k.rank - 2]),
                            features: Int64(q.shape[q.rank - 1]), value_features: Int64(v.shape[v.rank - 1]),
                            q_row: stride(q, 2), q_col: stride(q, 1), k_row: stride(k, 2), k_col: stride(k, 1),
                            v_row: stride(v, 2), v_col: stride(v, 1), m_row: stride(mask, 2), m_col: stride(mask, 1),
                            q_offset: qp.baseAddress, k_offset: kp.baseAddress, v_offset: vp.baseAddress,
                            m_offset: mo == nil ? nil : mp.baseAddress, mask_kind: kind, causal: args.bool("is_causal") ? 1 : 0,
                            scale: args.double("scale"), dropout_p: args.double("dropout_p"), seed: seed)
                        let maskBase = mask.map { UnsafeRawPointer($0.storage.data) }
                        try DenseOperands.byDType(op, q.dtype,
                            float32: { st_attention_f32(&p, base(q), base(k), base(v), maskBase, ptr(out), ptr(lse)) },
                            float64: { st_attention_f64(&p, base(q), base(k), base(v), maskBase, ptr(out), ptr(lse)) })
                    }
                }
            }
        }
    }

    /// A tensor's storage start, typed: the offsets passed beside it include its offset.
    private static func base<T>(_ t: Tensor) -> UnsafeMutablePointer<T> { t.storage.data.assumingMemoryBound(to: T.self) }
}
