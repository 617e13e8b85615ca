import SwiftTorchCore

// The gradient of a whole recurrent layer, written with registered operators (so it runs
// on every backend and can itself be differentiated).

enum RecurrentLayerGrad {
    /// Back through the steps in reverse visiting order: each step's fused cell backward
    /// takes the output's gradient plus the gradient the next step sent back to `h` (one
    /// `dgates @ w_hh`) and to `c`; the final states' gradients seed the last step visited.
    /// The gates' gradients are stacked once, into the input gates' gradient, and w_hh's
    /// gradient is one GEMM over all steps: `dgates[T·B, 4H].T @ h_prev[T·B, H]`. The saved
    /// cell states and workspace have no gradient.
    static let lstmLayer: Derivative = .init(saving: .inputs("hx", "cx", "w_hh", outputs: true)) { ctx in
        let hx = try ctx.input("hx"), cx = try ctx.input("cx"), wHh = try ctx.input("w_hh")
        let hs = try ctx.output(0), cs = try ctx.output(3), workspaces = try ctx.output(4)
        let gradOutput = ctx.gradOutputs[0]
        let reverse = ctx.arguments.bool("reverse"), steps = hs.shape[0]
        guard steps > 0 else {
            // No step ran: the final states were the initial ones.
            return ctx.gradients(["input_gates": try ctx.ifNeeded("input_gates") { try Tensor.zeros(like: workspaces) },
                                  "hx": ctx.needs("hx") ? ctx.gradOutputs[1] : nil, "cx": ctx.needs("cx") ? ctx.gradOutputs[2] : nil,
                                  "w_hh": try ctx.ifNeeded("w_hh") { try Tensor.zeros(like: wHh) },
                                  "bias": try ctx.ifNeeded("bias") { try Tensor.zeros([wHh.shape[0]], dtype: wHh.dtype, device: wHh.device) }])
        }
        // The step visited before step t (nil for the first one, which reads hx and cx).
        let previous = { (t: Int) -> Int? in reverse ? (t + 1 < steps ? t + 1 : nil) : (t > 0 ? t - 1 : nil) }
        var dh = ctx.gradOutputs[1], dc = ctx.gradOutputs[2]
        var gateGrads = [Tensor](repeating: hx, count: steps)
        for t in RecurrentLayer.order(steps, reverse: reverse).reversed() {
            let cPrev = try previous(t).map { try cs[$0] } ?? cx
            let grads = try dispatchAll(Op.fusedLstmCellBackward, [.tensor(try gradOutput[t] + dh), .tensor(dc), .tensor(cPrev),
                                                                   .tensor(try cs[t]), .tensor(try workspaces[t]), .bool(false)])
            gateGrads[t] = grads[0]
            dc = grads[1]
            // The first step's h gradient goes to hx only, and only when asked for.
            if previous(t) != nil || ctx.needs("hx") { dh = try grads[0].mm(wHh) }
        }
        let dGates = try stack(gateGrads, dim: 0)
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
