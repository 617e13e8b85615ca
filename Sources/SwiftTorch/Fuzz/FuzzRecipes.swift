/// One argument's value in a recipe: a tensor's shape (its dtype and layout are still
/// drawn), an index tensor's shape and bound, or integers.
enum RecipeValue {
    case shape([Int])
    /// A tensor list's shapes (lstm_cell's `hx`).
    case shapes([[Int]])
    case indices([Int], limit: Int)
    case ints([Int])
    case int(Int)
}

/// Shapes that fit together for operators whose arguments must agree in several places at
/// once (a convolution's channels, a pooling window, a loss's classes). Random shapes almost
/// never pass their checks, so without these the kernels behind them would go untested.
/// A recipe is used for some calls only; the others keep fully random arguments.
enum FuzzRecipes {
    static func recipe(for op: String, _ rng: inout FuzzRandom) -> [String: RecipeValue]? {
        let n = rng.int(1...2), c = rng.int(1...3), h = rng.int(1...6), w = rng.int(1...6)
        switch op {
        case "conv2d", "conv2d_backward_input", "conv2d_backward_weight":
            return convolution(op, n: n, h: h, w: w, &rng)
        case "max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "max_pool2d_with_indices_backward", "avg_pool2d_backward":
            return pooling(op, input: rng.chance(0.8) ? [n, c, h, w] : [c, h, w], &rng)
        case "batch_norm", "native_batch_norm":
            let input = [n + 1, c] + (0..<rng.int(0...2)).map { _ in rng.int(1...4) }
            return ["input": .shape(input), "weight": .shape([c]), "bias": .shape([c]),
                    "running_mean": .shape([c]), "running_var": .shape([c])]
        case "layer_norm":
            let input = (0..<rng.int(1...3)).map { _ in rng.int(1...5) }
            let normalized = Array(input.suffix(rng.int(1...input.count)))
            return ["input": .shape(input), "normalized_shape": .ints(normalized), "weight": .shape(normalized), "bias": .shape(normalized)]
        case "nll_loss", "cross_entropy", "nll_loss_backward":
            let extra = rng.chance(0.3) ? [rng.int(1...3)] : []
            let probabilities = op == "cross_entropy" && rng.chance(0.3)
            return ["self": .shape([n, c] + extra), "weight": .shape([c]), "total_weight": .shape([]),
                    "target": probabilities ? .shape([n, c] + extra) : .indices([n] + extra, limit: c),
                    "grad_output": .shape(rng.chance(0.5) ? [] : [n] + extra)]
        case "mm", "addmm", "bmm", "matmul", "linear":
            let (m, k, p, b) = (rng.int(0...4), rng.int(0...4), rng.int(1...4), rng.int(1...3))
            let batch = op == "bmm" || (op == "matmul" && rng.chance(0.5)) ? [b] : []
            return ["self": .shape(op == "addmm" ? [m, p] : batch + [m, k]), "mat1": .shape([m, k]), "mat2": .shape(batch + [k, p]),
                    "other": .shape(batch + [k, p]), "input": .shape([m, k]), "weight": .shape([p, k]), "bias": .shape([p])]
        case "index_add", "index_select", "gather", "scatter_add":
            let shape = [rng.int(1...4), rng.int(1...4)], dim = rng.int(0...1), k = rng.int(0...5)
            var source = shape
            source[dim] = k
            let index = op == "index_add" || op == "index_select" ? [k] : source
            return ["self": .shape(shape), "dim": .int(dim), "index": .indices(index, limit: shape[dim]),
                    "source": .shape(source), "src": .shape(source)]
        case "lstm_cell", "gru_cell", "rnn_tanh_cell", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "_thnn_fused_lstm_cell_backward_impl",
             "_thnn_fused_gru_cell_backward":
            return recurrentCell(op, batch: rng.int(0...3), &rng)
        case "_lstm_layer", "_lstm_layer_backward":
            let (steps, batch, hidden) = (rng.int(0...3), rng.int(0...3), rng.int(1...4))
            return ["input_gates": .shape([steps, batch, 4 * hidden]), "hx": .shape([batch, hidden]), "cx": .shape([batch, hidden]),
                    "w_hh": .shape([4 * hidden, hidden]), "bias": .shape([4 * hidden]), "grad_output": .shape([steps, batch, hidden]),
                    "grad_hn": .shape([batch, hidden]), "grad_cn": .shape([batch, hidden]), "cs": .shape([steps, batch, hidden]),
                    "workspace": .shape([steps, batch, 4 * hidden])]
        case "scaled_dot_product_attention", "_scaled_dot_product_fused_attention":
            let (batch, l, s, e) = (rng.chance(0.5) ? [n] : [n, c], rng.int(0...5), rng.int(0...5), rng.int(1...4))
            let mask = Array(([n, c] + [l, s]).suffix(rng.int(2...(batch.count + 2))))
            return ["query": .shape(batch + [l, e]), "key": .shape(batch + [s, e]), "value": .shape(batch + [s, rng.int(1...4)]),
                    "attn_mask": .shape(mask)]
        case "embedding":
            let rows = rng.int(1...6)
            return ["weight": .shape([rows, rng.int(1...4)]), "input": .indices([n, rng.int(0...4)], limit: rows)]
        default:
            return nil
        }
    }

    /// A recurrent cell's input, state and weights, or its fused gates, sized alike.
    private static func recurrentCell(_ op: String, batch: Int, _ rng: inout FuzzRandom) -> [String: RecipeValue] {
        let gates = op.contains("lstm") ? 4 : op.contains("gru") ? 3 : 1
        let (features, hidden) = (rng.int(1...4), rng.int(1...4))
        let state = RecipeValue.shape([batch, hidden]), bias = RecipeValue.shape([gates * hidden])
        return ["input": .shape([batch, features]), "hx": op == "lstm_cell" ? .shapes([[batch, hidden], [batch, hidden]]) : state,
                "cx": state, "w_ih": .shape([gates * hidden, features]), "w_hh": .shape([gates * hidden, hidden]),
                "b_ih": bias, "b_hh": bias, "input_bias": bias, "hidden_bias": bias,
                "input_gates": .shape([batch, gates * hidden]), "hidden_gates": .shape([batch, gates * hidden]),
                "grad_hy": state, "grad_cy": state, "cy": state, "workspace": .shape([batch, 4 * hidden])]
    }

    /// A convolution whose channels and groups agree, with its window arguments, and the
    /// gradient shapes its backward operators take.
    private static func convolution(_ op: String, n: Int, h: Int, w: Int, _ rng: inout FuzzRandom) -> [String: RecipeValue] {
        let groups = rng.int(1...2), inPerGroup = rng.int(1...2), outPerGroup = rng.int(1...2)
        let (kh, kw) = (rng.int(1...min(3, h)), rng.int(1...min(3, w)))
        let stride = [rng.int(1...2), rng.int(1...2)], padding = [rng.int(0...1), rng.int(0...1)], dilation = [1, rng.int(1...2)]
        let input = [n, groups * inPerGroup, h, w], weight = [groups * outPerGroup, inPerGroup, kh, kw]
        let out = [n, groups * outPerGroup,
                   WindowMath.length(h, kh, stride[0], padding[0], dilation[0]), WindowMath.length(w, kw, stride[1], padding[1], dilation[1])]
        return ["input": .shape(input), "weight": .shape(weight), "bias": .shape([weight[0]]),
                "grad_output": .shape(out), "input_size": .ints(input), "weight_size": .ints(weight),
                "stride": .ints(stride), "padding": .ints(padding), "dilation": .ints(dilation), "groups": .int(groups)]
    }

    /// A pooling window that fits `input`, and the shapes its backward operators take.
    private static func pooling(_ op: String, input: [Int], _ rng: inout FuzzRandom) -> [String: RecipeValue] {
        let (h, w) = (input[input.count - 2], input[input.count - 1])
        let kernel = [rng.int(1...min(3, h)), rng.int(1...min(3, w))]
        let padding = kernel.map { rng.int(0...$0 / 2) }, stride = [rng.int(1...2), rng.int(1...2)]
        let dilation = op.hasPrefix("avg") ? [1, 1] : [1, rng.chance(0.3) && kernel[1] * 2 <= w ? 2 : 1]
        let out = Array(input.dropLast(2)) + [WindowMath.length(h, kernel[0], stride[0], padding[0], dilation[0]),
                                              WindowMath.length(w, kernel[1], stride[1], padding[1], dilation[1])]
        return ["self": .shape(input), "kernel_size": .ints(kernel), "stride": .ints(stride), "padding": .ints(padding),
                "dilation": .ints(dilation), "grad_output": .shape(out), "input_size": .ints(input),
                "indices": .indices(out, limit: h * w)]
    }
}

/// Output length of a window sliding over `size` (floor mode), at least 1 for recipes.
enum WindowMath {
    static func length(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int) -> Int {
        max(1, (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1)
    }
}
