import SwiftTorchCore

// The nn-functional family (torch.nn.functional's layers): convolution, pooling,
// normalisation, embedding, one_hot and dropout, each declared in its own file here.
// Operators named `*_backward*` and `native_*` are the kernels the public ones and their
// gradients are built on, as in PyTorch's native_functions.yaml.

extension Op {
    static let nnFamily = [conv2d, conv2dBackwardInput, conv2dBackwardWeight, maxPool2dWithIndices, maxPool2dWithIndicesBackward, maxPool2d, avgPool2d,
                           avgPool2dBackward, nativeBatchNorm, batchNorm, layerNorm, embedding, oneHot, nativeDropout, dropout]
}
