import SwiftTorchCore

// The operators sequence models are built from (issue 13), declared in MaskingOps.swift,
// SplitOps.swift, ActivationOps.swift, RecurrentCellOps.swift, RecurrentLayerOps.swift and
// AttentionOps.swift.

extension Op {
    static let sequenceFamily = [maskedFill, tril, triu, leakyRelu, elu, split, splitWithSizes, chunk,
                                 lstmCell, gruCell, rnnTanhCell, fusedLstmCell, fusedLstmCellBackward, fusedGruCell, fusedGruCellBackward, lstmLayer, lstmLayerBackward,
                                 scaledDotProductAttention, fusedAttention]
}
