import SwiftTorchCore

/// A random `size` window of an image, after padding its borders with `padding` pixels of
/// `fill`, as torchvision's `RandomCrop(size, padding)`: the usual CIFAR-10 augmentation
/// (`RandomCrop(32, padding: 4)`). Works on the last two dimensions of `[..., H, W]`.
///
/// The window's top and then its left edge are drawn uniformly from the positions that fit,
/// as torchvision's `get_params` draws them, from `generator` or else
/// ``Generator/augmentation``; a window the size of the padded image draws nothing.
public struct RandomCrop: Transform {
    /// The window's height and width.
    public let size: (height: Int, width: Int)
    /// Pixels added on every side before cropping.
    public let padding: Int
    /// The value of the added pixels.
    public let fill: Double
    /// Where positions come from; nil draws from ``Generator/augmentation``.
    public let generator: Generator?

    /// Square windows of `size` pixels.
    public init(_ size: Int, padding: Int = 0, fill: Double = 0, generator: Generator? = nil) {
        self.init((size, size), padding: padding, fill: fill, generator: generator)
    }

    /// Windows of `size.height` by `size.width` pixels.
    public init(_ size: (height: Int, width: Int), padding: Int = 0, fill: Double = 0, generator: Generator? = nil) {
        self.size = size
        self.padding = padding
        self.fill = fill
        self.generator = generator
    }

    /// A random window of the padded `input`. An input of rank below 2, a negative padding,
    /// a window size below 1 or larger than the padded image throws.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 2 else {
            throw TorchError(.invalidArgument, "RandomCrop: expected an image of shape [..., H, W]; got shape \(describe(shape: input.shape))")
        }
        guard padding >= 0, size.height >= 1, size.width >= 1 else {
            throw TorchError(.invalidArgument, "RandomCrop: size \(size.height)x\(size.width) must be positive and padding \(padding) not negative")
        }
        let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
        let (paddedHeight, paddedWidth) = (height + 2 * padding, width + 2 * padding)
        guard size.height <= paddedHeight, size.width <= paddedWidth else {
            throw TorchError(.invalidArgument, "RandomCrop: a \(size.height)x\(size.width) window does not fit the \(paddedHeight)x\(paddedWidth) padded image (shape \(describe(shape: input.shape)), padding \(padding))")
        }
        var (top, left) = (0, 0)
        if size.height != paddedHeight || size.width != paddedWidth {
            let source = generator ?? .augmentation
            top = Int(source.integers(1, low: 0, high: Int64(paddedHeight - size.height + 1))[0])
            left = Int(source.integers(1, low: 0, high: Int64(paddedWidth - size.width + 1))[0])
        }
        return try crop(input, top: top - padding, left: left - padding)
    }

    /// The window whose top-left corner is at (`top`, `left`) of the unpadded image (negative
    /// or past its end where the window covers padding).
    private func crop(_ input: Tensor, top: Int, left: Int) throws -> Tensor {
        let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
        let rows = Swift.max(top, 0)..<Swift.min(top + size.height, height)
        let columns = Swift.max(left, 0)..<Swift.min(left + size.width, width)
        let inside = try input.narrow(dim: -2, start: rows.lowerBound, length: rows.count)
            .narrow(dim: -1, start: columns.lowerBound, length: columns.count)
        // Entirely inside the image: a view, as torchvision's crop is a slice.
        if rows.count == size.height && columns.count == size.width { return inside }
        let output = try Tensor.full(Array(input.shape.dropLast(2)) + [size.height, size.width], fill,
                                     dtype: input.dtype, device: input.device)
        if !rows.isEmpty && !columns.isEmpty {
            try output.narrow(dim: -2, start: rows.lowerBound - top, length: rows.count)
                .narrow(dim: -1, start: columns.lowerBound - left, length: columns.count)
                .copy_(inside)
        }
        return output
    }
}

/// An image mirrored left to right with probability `p`, as torchvision's
/// `RandomHorizontalFlip`: reverses the last dimension of `[..., H, W]`.
///
/// One uniform number per call, from `generator` or else ``Generator/augmentation``, decides:
/// flipped when it is below `p`, as torchvision's `torch.rand(1) < p`.
public struct RandomHorizontalFlip: Transform {
    /// The probability of a flip.
    public let p: Double
    /// Where the decisions come from; nil draws from ``Generator/augmentation``.
    public let generator: Generator?

    /// Flips with probability `p` (0.5 by default).
    public init(p: Double = 0.5, generator: Generator? = nil) {
        self.p = p
        self.generator = generator
    }

    /// `input`, flipped or not. An input of rank 0, or a `p` outside [0, 1], throws.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard (0...1).contains(p) else {
            throw TorchError(.invalidArgument, "RandomHorizontalFlip: p = \(p) is not a probability in [0, 1]")
        }
        guard input.rank >= 1 else {
            throw TorchError(.invalidArgument, "RandomHorizontalFlip: expected an image of shape [..., W]; got a 0-d tensor")
        }
        // float32's 24 bits, as torch.rand draws.
        guard (generator ?? .augmentation).uniform(1, bits: 24)[0] < p else { return input }
        let width = input.shape[input.rank - 1]
        let reversed = try Tensor(Array((0..<width).reversed()), shape: [width], dtype: .int64).to(input.device)
        return try input.indexSelect(dim: -1, index: reversed)
    }
}
