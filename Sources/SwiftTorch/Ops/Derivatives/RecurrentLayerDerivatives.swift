import SwiftTorchCore

// The gradient of a whole recurrent layer: the recurrence backwards is one operator with a
// kernel per backend (`_lstm_layer_backward`); the weight and bias gradients are ordinary
// operators on its result.

enum RecurrentLayerGrad {
    /// Back through the steps in reverse visiting order (`_lstm_layer_backward`): each step's
    /// cell gradient takes the output's gradient plus the gradient the next step sent back to
    /// `h` (`dgates @ w_hh`) and to `c`; the final states' gradients seed the last step
    /// visited. The kernel writes the gates' gradients of every step into one tensor, the
    /// input gates' gradient, and w_hh's gradient is one GEMM over all steps:
    /// `dgates[T·B, 4H].T @ h_prev[T·B, H]`. The saved cell states and workspace have no
    /// gradient.
    static let lstmLayer: Derivative = .init(saving: .inputs("hx", "cx", "w_hh", outputs: true)) { ctx in
        let hx = try ctx.input("hx"), cx = try ctx.input("cx"), wHh = try ctx.input("w_hh")
        let hs = try ctx.output(0), cs = try ctx.output(3), workspaces = try ctx.output(4)
        let reverse = ctx.arguments.bool("reverse"), steps = hs.shape[0]
        guard steps > 0 else {
            // No step ran: the final states were the initial ones.
            return ctx.gradients(["input_gates": try ctx.ifNeeded("input_gates") { try Tensor.zeros(like: workspaces) },
                                  "hx": ctx.needs("hx") ? ctx.gradOutputs[1] : nil, "cx": ctx.needs("cx") ? ctx.gradOutputs[2] : nil,
                                  "w_hh": try ctx.ifNeeded("w_hh") { try Tensor.zeros(like: wHh) },
                                  "bias": try ctx.ifNeeded("bias") { try Tensor.zeros([wHh.shape[0]], dtype: wHh.dtype, device: wHh.device) }])
        }
        // The recurrence backwards in one kernel call (`_lstm_layer_backward`), which splits
        // the batch rows over its threads as the forward does.
        let grads = try dispatchAll(Op.lstmLayerBackward, ctx.gradOutputs.prefix(3).map(ArgumentValue.tensor)
                                    + [.tensor(cx), .tensor(wHh), .tensor(cs), .tensor(workspaces), .bool(reverse)])
        let (dGates, dh, dc) = (grads[0], grads[1], grads[2])
        let gradWHh = try ctx.ifNeeded("w_hh") {
            // h_prev in sequence order: hx, then every output but the last visited.
            let hidden = hx.shape[1], rows = steps * hx.shape[0]
            let earlier = steps == 1 ? [] : [try hs.narrow(dim: 0, start: reverse ? 1 : 0, length: steps - 1)]
            let hPrev = try cat(reverse ? earlier + [hx.unsqueeze(0)] : [hx.unsqueeze(0)] + earlier, dim: 0)
            return try dGates.reshape([rows, wHh.shape[0]]).t().mm(hPrev.reshape([rows, hidden]))
        }
        let gradBias = try ctx.ifNeeded("bias") { try dGates.reshape([steps * hx.shape[0], wHh.shape[0]]).sum(dim: 0) }
        return ctx.gradients(["input_gates": ctx.needs("input_gates") ? dGates : nil, "hx": ctx.needs("hx") ? dh : nil,
                              "cx": ctx.needs("cx") ? dc : nil, "w_hh": gradWHh, "bias": gradBias])
    }
}
