import SwiftTorch
import Testing

// Schemas are written as in PyTorch's native_functions.yaml; binding fills defaults and
// coerces as PyTorch's argument parser does.

private let addSchema = OperatorSchema("add(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor")
private let sumSchema = OperatorSchema("sum(Tensor self, int[]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor")

@Suite("Schema parsing")
struct SchemaParsingTests {
    @Test func parsesNameArgumentsAndResultCount() {
        #expect(addSchema.name == "add")
        #expect(addSchema.arguments.map(\.name) == ["self", "other", "alpha"])
        #expect(addSchema.arguments.map(\.type) == [.tensor, .tensor, .scalar])
        #expect(addSchema.resultCount == 1)
    }

    @Test func argumentsAfterTheStarAreKeywordOnly() {
        #expect(addSchema.arguments.map(\.keywordOnly) == [false, false, true])
        #expect(sumSchema.arguments.map(\.keywordOnly) == [false, false, false, true])
    }

    @Test func parsesDefaultsOfEveryKind() {
        let s = OperatorSchema("f(Tensor self, int[] size=[2, 3], float eps=1e-05, str mode=\"mean\", bool flag=True, int? k=None, Scalar s=0.5) -> Tensor")
        let defaults = s.arguments.map(\.defaultValue)
        #expect(defaults[0] == nil)
        #expect(defaults[1] == .ints([2, 3]))
        #expect(defaults[2] == .double(1e-5))
        #expect(defaults[3] == .string("mean"))
        #expect(defaults[4] == .bool(true))
        #expect(defaults[5] == ArgumentValue.none)
        #expect(defaults[6] == .double(0.5))
    }

    @Test func parsesOptionalAndListTypes() {
        #expect(sumSchema.arguments[1].type == .optional(.intList))
        #expect(sumSchema.arguments[3].type == .optional(.dtype))
        #expect(OperatorSchema("cat(Tensor[] tensors, int dim=0) -> Tensor").arguments[0].type == .tensorList)
    }

    @Test func countsTupleResults() {
        let s = OperatorSchema("max(Tensor self, int? dim=None, bool keepdim=False) -> (Tensor values, Tensor indices)")
        #expect(s.resultCount == 2)
    }

    @Test func tensorArgumentIndicesListTensorsAndTensorLists() {
        let s = OperatorSchema("f(Tensor a, int n, Tensor[] bs, Tensor? c=None) -> Tensor")
        #expect(s.tensorArgumentIndices == [0, 2, 3])
    }
}

@Suite("Argument binding")
struct ArgumentBindingTests {
    @Test func defaultsAreFilledIn() throws {
        let x = try Tensor([1.0])
        let args = try sumSchema.bind([.tensor(x)])
        #expect(args["dim"] == ArgumentValue.none)
        #expect(args["keepdim"] == .bool(false))
        #expect(args["dtype"] == ArgumentValue.none)
        #expect(args.tensor("self") === x)
    }

    @Test func keywordArgumentsBindByName() throws {
        let x = try Tensor([1.0])
        let args = try addSchema.bind([.tensor(x), .tensor(x)], [("alpha", .double(2.5))])
        #expect(args["alpha"] == .double(2.5))
        #expect(args.double("alpha") == 2.5)
    }

    @Test func keywordOnlyArgumentsRejectPositionalValues() throws {
        // PyTorch: torch.add(a, b, 2) -> "add() takes 2 positional arguments but 3 were given".
        let x = try Tensor([1.0])
        #expect(throws: TorchError.self) { try addSchema.bind([.tensor(x), .tensor(x), .int(2)]) }
    }

    @Test func unknownKeywordIsAnErrorNamingIt() throws {
        let x = try Tensor([1.0])
        let error = #expect(throws: TorchError.self) { try addSchema.bind([.tensor(x), .tensor(x)], [("beta", .int(1))]) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("add()") == true)
        #expect(error?.message.contains("'beta'") == true)
    }

    @Test func missingRequiredArgumentIsAnErrorNamingIt() throws {
        let x = try Tensor([1.0])
        let error = #expect(throws: TorchError.self) { try addSchema.bind([.tensor(x)]) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("add()") == true)
        #expect(error?.message.contains("'other'") == true)
    }

    @Test func tooManyPositionalArgumentsIsAnError() throws {
        let x = try Tensor([1.0])
        #expect(throws: TorchError.self) { try sumSchema.bind([.tensor(x), .none, .bool(true), ArgumentValue.none, .int(1)]) }
    }

    @Test func aValueGivenTwiceIsAnError() throws {
        let x = try Tensor([1.0])
        let error = #expect(throws: TorchError.self) { try sumSchema.bind([.tensor(x), .ints([0])], [("dim", .ints([0]))]) }
        #expect(error?.message.contains("'dim'") == true)
    }

    @Test func singleIntBecomesAnIntList() throws {
        let x = try Tensor([1.0])
        let args = try sumSchema.bind([.tensor(x), .int(1)])
        #expect(args["dim"] == .ints([1]))
    }

    @Test func swiftDoubleWhereATensorIsExpectedBecomesAWrappedFloatTensor() throws {
        let x = try Tensor([1.0])
        let other = try addSchema.bind([.tensor(x), .double(2.5)]).tensor("other")
        #expect(other.isWrappedNumber)
        #expect(other.rank == 0)
        #expect(other.dtype == .float64)
        #expect(try other.item() == 2.5)
    }

    @Test func swiftIntWhereATensorIsExpectedBecomesAWrappedInt64Tensor() throws {
        let x = try Tensor([1.0])
        let other = try addSchema.bind([.tensor(x), .int(-3)]).tensor("other")
        #expect(other.isWrappedNumber)
        #expect(other.dtype == .int64)
        #expect(try other.item(Int.self) == -3)
    }

    @Test func swiftBoolWhereATensorIsExpectedBecomesAWrappedBoolTensor() throws {
        let x = try Tensor([1.0])
        let other = try addSchema.bind([.tensor(x), .bool(true)]).tensor("other")
        #expect(other.isWrappedNumber)
        #expect(other.dtype == .bool)
    }

    @Test func intWhereAFloatIsExpectedBecomesADouble() throws {
        let s = OperatorSchema("f(Tensor self, float eps=1e-05) -> Tensor")
        let args = try s.bind([.tensor(try Tensor([1.0])), .int(2)])
        #expect(args["eps"] == .double(2))
    }

    @Test func oneElementTensorWhereAScalarIsExpectedBecomesANumber() throws {
        let x = try Tensor([1.0])
        let args = try addSchema.bind([.tensor(x), .tensor(x)], [("alpha", .tensor(try Tensor([3])))])
        #expect(args["alpha"] == .int(3))
    }

    @Test func dtypeAndDeviceMayBeGivenAsStrings() throws {
        let s = OperatorSchema("f(Tensor self, *, ScalarType? dtype=None, Device? device=None) -> Tensor")
        let args = try s.bind([.tensor(try Tensor([1.0]))], [("dtype", .string("torch.float64")), ("device", .string("cpu"))])
        #expect(args["dtype"] == .dtype(.float64))
        #expect(args["device"] == .device(.cpu))
    }

    @Test func noneForANonOptionalArgumentIsAnError() throws {
        let x = try Tensor([1.0])
        let error = #expect(throws: TorchError.self) { try addSchema.bind([.tensor(x), ArgumentValue.none]) }
        #expect(error?.message.contains("'other'") == true)
        #expect(error?.message.contains("None") == true)
    }

    @Test func wrongTypeIsAnErrorNamingTheExpectedType() throws {
        let x = try Tensor([1.0])
        let error = #expect(throws: TorchError.self) { try sumSchema.bind([.tensor(x)], [("keepdim", .string("yes"))]) }
        #expect(error?.message.contains("'keepdim'") == true)
        #expect(error?.message.contains("bool") == true)
    }
}
