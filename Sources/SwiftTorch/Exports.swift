// `import SwiftTorch` is all a user writes: the core types (Tensor, DType, Device,
// TorchError, the registry) come with it.
@_exported import SwiftTorchCore
