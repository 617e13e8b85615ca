import SwiftTorch
import Testing

// Bad input never traps: each misuse below throws a TorchError of the right kind whose
// message names the operator and the shapes or dtypes involved.

private func m23() throws -> Tensor { try Tensor.zeros([2, 3]) }

extension ErrorTests {
    /// One misuse: the call, the kind of error, and text the message must contain.
    struct Misuse: Sendable, CustomTestStringConvertible {
        let name: String
        let kind: TorchError.Kind
        let fragments: [String]
        let call: @Sendable () throws -> Void

        init(_ name: String, _ kind: TorchError.Kind, _ fragments: [String], _ call: @escaping @Sendable () throws -> Void) {
            self.name = name
            self.kind = kind
            self.fragments = fragments
            self.call = call
        }

        var testDescription: String { name }
    }

    static let misuses: [Misuse] = [
        Misuse("add with shapes that do not broadcast", .shapeMismatch, ["add", "[2, 3]", "[4, 3]"]) {
            _ = try m23() + Tensor.zeros([4, 3])
        },
        Misuse("mul with shapes that do not broadcast", .shapeMismatch, ["mul", "[2, 3]", "[2]"]) {
            _ = try m23() * Tensor.zeros([2])
        },
        Misuse("matmul with different inner dimensions", .shapeMismatch, ["matmul", "[2, 3]", "[2, 3]"]) {
            _ = try m23().matmul(m23())
        },
        Misuse("matmul of a 0-d tensor", .shapeMismatch, ["matmul", "[]", "[2, 3]"]) {
            _ = try Tensor(1.0).matmul(m23())
        },
        Misuse("mm of a 1-D tensor", .shapeMismatch, ["mm", "[3]"]) {
            _ = try Tensor.zeros([3]).mm(m23())
        },
        Misuse("matmul of mixed dtypes", .dtypeMismatch, ["matmul", "float32", "float64"]) {
            _ = try m23().matmul(Tensor.zeros([3, 2], dtype: .float64))
        },
        Misuse("sum over a dim out of range", .dimOutOfRange, ["sum", "5", "[2, 3]"]) {
            _ = try m23().sum(dim: 5)
        },
        Misuse("softmax over a dim out of range", .dimOutOfRange, ["softmax", "-3", "[2, 3]"]) {
            _ = try m23().softmax(dim: -3)
        },
        Misuse("transpose of a dim out of range", .dimOutOfRange, ["transpose", "2", "[2, 3]"]) {
            _ = try m23().transpose(0, 2)
        },
        Misuse("unsqueeze beyond rank + 1", .dimOutOfRange, ["unsqueeze", "4", "[2, 3]"]) {
            _ = try m23().unsqueeze(4)
        },
        Misuse("permute with too few dims", .invalidArgument, ["permute", "[2, 3]"]) {
            _ = try m23().permute([0])
        },
        Misuse("permute with a repeated dim", .invalidArgument, ["permute", "[2, 3]"]) {
            _ = try m23().permute([1, 1])
        },
        Misuse("reshape to a different element count", .shapeMismatch, ["reshape", "[4, 2]", "[2, 3]"]) {
            _ = try m23().reshape([4, 2])
        },
        Misuse("reshape with two -1", .invalidArgument, ["reshape", "[-1, -1]"]) {
            _ = try m23().reshape([-1, -1])
        },
        Misuse("reshape with -1 that does not divide", .shapeMismatch, ["reshape", "[4, -1]", "[2, 3]"]) {
            _ = try m23().reshape([4, -1])
        },
        Misuse("expand of a dim that is not 1", .shapeMismatch, ["expand", "[2, 3]", "[2, 4]"]) {
            _ = try m23().expand([2, 4])
        },
        Misuse("expand to fewer dims", .shapeMismatch, ["expand", "[3]", "[2, 3]"]) {
            _ = try m23().expand([3])
        },
        Misuse("narrow past the end", .indexOutOfRange, ["narrow", "[2, 3]"]) {
            _ = try m23().narrow(dim: 1, start: 2, length: 2)
        },
        Misuse("flatten with start after end", .invalidArgument, ["flatten", "[2, 3]"]) {
            _ = try m23().flatten(startDim: 1, endDim: 0)
        },
        Misuse("cat of tensors whose other dims differ", .shapeMismatch, ["cat", "[2, 3]", "[2, 4]"]) {
            _ = try cat([m23(), Tensor.zeros([2, 4])], dim: 0)
        },
        Misuse("stack of tensors of different shapes", .shapeMismatch, ["stack", "[2, 3]", "[3, 2]"]) {
            _ = try stack([m23(), Tensor.zeros([3, 2])])
        },
        Misuse("where with an integer condition", .dtypeMismatch, ["where", "condition", "int64"]) {
            _ = try `where`(Tensor([1, 0]), Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        },
        Misuse("where with shapes that do not broadcast", .shapeMismatch, ["where", "[3]", "[2]"]) {
            _ = try `where`(Tensor([true, false, true]), Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        },
        Misuse("index_select with a float index", .dtypeMismatch, ["index_select", "float32", "[2]"]) {
            _ = try m23().indexSelect(dim: 0, index: Tensor([0.0, 1.0]))
        },
        Misuse("index_select with an index out of range", .indexOutOfRange, ["index_select", "7", "[2, 3]"]) {
            _ = try m23().indexSelect(dim: 1, index: Tensor([0, 7]))
        },
        Misuse("gather with an index out of range", .indexOutOfRange, ["gather", "3", "[2, 3]"]) {
            _ = try m23().gather(dim: 1, index: Tensor([[3], [0]]))
        },
        Misuse("subscript out of range", .indexOutOfRange, ["index 5", "size 2", "[2, 3]"]) {
            _ = try m23()[5]
        },
        Misuse("subscript of a 0-d tensor", .indexOutOfRange, ["0-d"]) {
            _ = try Tensor(1.0)[0]
        },
        Misuse("slice with a zero step", .invalidArgument, ["slice", "step"]) {
            _ = try m23().slice(dim: 0, step: 0)
        },
        Misuse("zeros with a negative size", .invalidArgument, ["[-2, 3]"]) {
            _ = try Tensor.zeros([-2, 3])
        },
        Misuse("eye with a negative size", .invalidArgument, ["eye", "-1"]) {
            _ = try Tensor.eye(-1)
        },
        Misuse("values that do not fill a shape", .shapeMismatch, ["[-1]"]) {
            _ = try Tensor([1.0], shape: [-1])
        },
        Misuse("unknown backend", .unknownBackend, ["'gpu9'", "reference"]) {
            _ = try Runtime.withBackend("gpu9") { 0 }
        },
        Misuse("sub of bool tensors", .dtypeMismatch, ["sub", "bool"]) {
            _ = try Tensor([true]) - Tensor([false])
        },
        Misuse("neg of a bool tensor", .dtypeMismatch, ["neg", "bool"]) {
            _ = try Tensor([true]).neg()
        },
        Misuse("div with an unknown rounding mode", .invalidArgument, ["div", "rounding_mode", "ceil"]) {
            _ = try m23().div(m23(), roundingMode: "ceil")
        },
        Misuse("mean of an integer tensor", .dtypeMismatch, ["mean", "int64"]) {
            _ = try Tensor([1, 2]).mean()
        },
        Misuse("max over an empty tensor", .invalidArgument, ["max", "[0]"]) {
            _ = try Tensor.zeros([0]).max()
        },
        Misuse("item of a tensor with several elements", .invalidArgument, ["item", "[2, 3]"]) {
            _ = try m23().item()
        },
        Misuse("t of a 3-D tensor", .invalidArgument, ["[2, 3, 4]"]) {
            _ = try Tensor.zeros([2, 3, 4]).t()
        },
        Misuse("linear with mismatched features", .shapeMismatch, ["linear", "[2, 3]", "[4, 5]"]) {
            _ = try linear(m23(), weight: Tensor.zeros([4, 5]))
        },
        Misuse("mse_loss with shapes that do not broadcast", .shapeMismatch, ["[2, 3]", "[4]"]) {
            _ = try mseLoss(m23(), Tensor.zeros([4]))
        },
        Misuse("randint with high not above low", .invalidArgument, ["randint"]) {
            _ = try Tensor.randint(low: 3, high: 1, [2])
        },
        Misuse("ragged nested arrays", .shapeMismatch, ["ragged"]) {
            _ = try Tensor([[1.0], [2.0, 3.0]])
        },
    ]
}

@Suite("Misuse throws instead of trapping")
struct ErrorTests {
    @Test(arguments: ErrorTests.misuses)
    func misuseThrowsATorchErrorNamingOperatorAndOperands(_ misuse: Misuse) {
        let error = #expect(throws: TorchError.self, "\(misuse.name)") { try misuse.call() }
        guard let error else { return }
        #expect(error.kind == misuse.kind, "\(misuse.name): \(error.message)")
        for fragment in misuse.fragments {
            #expect(error.message.contains(fragment), "\(misuse.name): '\(fragment)' not in: \(error.message)")
        }
    }

    @Test func errorDescriptionIsTheMessage() {
        let error = TorchError(.shapeMismatch, "add: shapes [2] and [3] do not broadcast")
        #expect(error.description == error.message)
        #expect("\(error)" == "add: shapes [2] and [3] do not broadcast")
    }

    @Test func shapesAreDescribedAsPyTorchLists() {
        #expect(describe(shape: [2, 3]) == "[2, 3]")
        #expect(describe(shape: []) == "[]")
    }
}
