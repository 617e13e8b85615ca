import SwiftTorchCore

extension Op {
    /// Rows of `weight` picked by the integer `input`: `out[..., :] = weight[input[...], :]`,
    /// as `torch.nn.functional.embedding`. Rows at `padding_idx` receive no gradient.
    public static let embedding = declare(OperatorDefinition(
        "embedding(Tensor input, Tensor weight, int? padding_idx=None) -> Tensor", group: .nn,
        meta: { args in
            let indices = args.tensor("input"), weight = args.tensor("weight")
            try Indexing.requireIndexDType("embedding", indices)
            guard weight.rank == 2 else {
                throw TorchError(.shapeMismatch, "embedding: weight must be 2-D [num_embeddings, embedding_dim], got \(describe(shape: weight.shape))")
            }
            let rows = weight.shape[0]
            if let p = args.optionalInt("padding_idx") {
                guard p >= -rows, p < rows else {
                    throw TorchError(.indexOutOfRange, "embedding: padding_idx \(p) must be within num_embeddings (\(rows), weight \(describe(shape: weight.shape)))")
                }
                args["padding_idx"] = .int(p < 0 ? p + rows : p)
            }
            if indices.device.isCPU {
                // Unlike index_select, negative indices are errors here, as in PyTorch.
                for i in indices.int64Values() where i < 0 || i >= Int64(rows) {
                    throw TorchError(.indexOutOfRange, "embedding: index \(i) is out of range for a weight of \(rows) rows (\(weight.dtype)\(describe(shape: weight.shape)), input \(describe(shape: indices.shape)))")
                }
            }
            args["input"] = .tensor(try Meta.cast(indices, to: .int64))
            return [TensorSpec(indices.shape + [weight.shape[1]], weight.dtype)]
        }, derivative: NNGrad.embedding))

    /// `torch.nn.functional.one_hot`: an int64 tensor with a trailing dim of `num_classes`
    /// (one more than the largest class when -1) holding 1 at each class index.
    public static let oneHot = declare(OperatorDefinition(
        "one_hot(Tensor self, int num_classes=-1) -> Tensor", group: .nn,
        meta: { args in
            let x = args.tensor("self")
            guard x.dtype == .int64 else {
                throw TorchError(.dtypeMismatch, "one_hot: is only applicable to int64 class indices, got \(x.dtype)\(describe(shape: x.shape))")
            }
            guard x.device.isCPU else {
                throw TorchError(.invalidArgument, "one_hot: class indices must be on the CPU to size the output, got \(x.device)")
            }
            var classes = args.int("num_classes")
            let values = x.int64Values()
            if classes == -1 {
                guard let largest = values.max() else {
                    throw TorchError(.invalidArgument, "one_hot: cannot infer the number of classes from an empty tensor \(describe(shape: x.shape)); pass num_classes")
                }
                // The largest class comes from the data: Int64.max + 1 overflows.
                classes = try ShapeArithmetic.sum("one_hot", Int(largest), 1, "the number of classes (largest class \(largest) plus one)")
            }
            guard classes >= 0 else {
                throw TorchError(.invalidArgument, "one_hot: num_classes must be non-negative or -1, got \(classes)")
            }
            for v in values where v < 0 || v >= Int64(classes) {
                throw TorchError(.indexOutOfRange, "one_hot: class value \(v) must be in [0, \(classes)) (input \(describe(shape: x.shape)), num_classes \(classes))")
            }
            args["num_classes"] = .int(classes)
            let shape = x.shape + [classes]
            try Creation.requireSizes("one_hot", shape, .int64)
            return [TensorSpec(shape, .int64)]
        }))
}
