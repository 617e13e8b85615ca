import SwiftTorchCore

// torch.nn.functional's attention and torch's recurrent cells as free functions, beside
// conv2d and layerNorm.

/// `softmax(query @ keyᵀ * scale + mask) @ value` over inputs [..., L, E], [..., S, E] and
/// [..., S, Ev]. A bool `attnMask` keeps the positions where it is true, a float one is
/// added to the scores; `isCausal` lets query i see keys 0...i. `scale` defaults to
/// 1 / sqrt(E). `dropoutP` drops attention weights, the mask drawn from the default
/// ``Generator``.
public func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: Tensor? = nil,
                                      dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil) throws -> Tensor {
    try dispatch(Op.scaledDotProductAttention, slots: [.tensor(query), .tensor(key), .tensor(value), attnMask.map(ArgumentValue.tensor) ?? .none,
                                                       .double(dropoutP), .bool(isCausal), scale.map(ArgumentValue.double) ?? .none])
}

/// One LSTM step over `input` [batch, input_size] with `hx = [h, c]`, weights in PyTorch's
/// layout (gates i, f, g, o stacked in `wIh` [4 hidden, input_size] and `wHh`
/// [4 hidden, hidden]). Returns `(h', c')`.
public func lstmCell(_ input: Tensor, hx: [Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor? = nil,
                     bHh: Tensor? = nil) throws -> (Tensor, Tensor) {
    let out = try dispatchAll(Op.lstmCell, [.tensor(input), .tensorList(hx), .tensor(wIh), .tensor(wHh),
                                            bIh.map(ArgumentValue.tensor) ?? .none, bHh.map(ArgumentValue.tensor) ?? .none])
    return (out[0], out[1])
}

/// One GRU step over `input` [batch, input_size] and `hx` [batch, hidden], gates r, z, n
/// stacked in `wIh` [3 hidden, input_size] and `wHh` [3 hidden, hidden]. Returns `h'`.
public func gruCell(_ input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor? = nil, bHh: Tensor? = nil) throws -> Tensor {
    try dispatch(Op.gruCell, [.tensor(input), .tensor(hx), .tensor(wIh), .tensor(wHh),
                              bIh.map(ArgumentValue.tensor) ?? .none, bHh.map(ArgumentValue.tensor) ?? .none])
}

/// One Elman step: `tanh(input @ wIhᵀ + bIh + hx @ wHhᵀ + bHh)`.
public func rnnTanhCell(_ input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor? = nil, bHh: Tensor? = nil) throws -> Tensor {
    try dispatch(Op.rnnTanhCell, [.tensor(input), .tensor(hx), .tensor(wIh), .tensor(wHh),
                                  bIh.map(ArgumentValue.tensor) ?? .none, bHh.map(ArgumentValue.tensor) ?? .none])
}
