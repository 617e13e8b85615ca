import Foundation
import SwiftTorch
import Testing

// Modules: parameters, buffers and submodules found by reflection with PyTorch's
// state-dict names; state dicts; training mode; the layers and losses.

private final class Block: Module {
    let encoder: Sequential
    let heads: [Linear]
    @Buffer var runningMean: Tensor
    // `key:` needs the initial value at the declaration (a Swift rule for wrapper arguments).
    @Parameter(key: "scale_factor") var gain = try! Tensor(zerosOnCPU: [1], dtype: .float32)

    init(generator: Generator = .default) throws {
        encoder = Sequential {
            Linear(4, 8, generator: generator)
            ReLU()
            Linear(8, 3, generator: generator)
        }
        heads = [Linear(3, 2, bias: false, generator: generator), Linear(3, 2, generator: generator)]
        runningMean = try Tensor.zeros([2])
        super.init()
    }
}

private final class Wrapper: Module {
    let fc: Linear
    init(generator: Generator = .default) throws {
        fc = Linear(3, 4, generator: generator)
        super.init()
    }
}

/// A layer with an integer buffer, as BatchNorm's `num_batches_tracked`.
private final class CountingBuffer: Module, UnaryLayer {
    @Buffer var count = try! Tensor(zerosOnCPU: [], dtype: .int64)
    func callAsFunction(_ x: Tensor) throws -> Tensor { x }
}

private func values(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

/// The `nn` part of the library; the suites below are nested so `--filter NNTests` runs them all.
@Suite("nn") struct NNTests {
    @Suite("Modules find their parameters and follow PyTorch's naming")
    struct Modules {
        @Test func namedParametersOfANestedModelUseStateDictKeys() throws {
            let block = try Block()
            #expect(block.namedParameters().map(\.0) == [
                "scale_factor", "encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                "heads.0.weight", "heads.1.weight", "heads.1.bias",
            ])
            #expect(block.parameters().map(\.shape) == [[1], [8, 4], [8], [3, 8], [3], [2, 3], [2, 3], [2]])
            #expect(block.parameters().allSatisfy { $0.requiresGrad && $0.isLeaf })
        }

        @Test func buffersAreNotParametersButAreInTheStateDict() throws {
            let block = try Block()
            #expect(block.namedBuffers().map(\.0) == ["running_mean"])
            #expect(!block.namedParameters().map(\.0).contains("running_mean"))
            #expect(block.buffers().allSatisfy { !$0.requiresGrad })
            // Per module, parameters then buffers, modules in declaration order: PyTorch's order.
            #expect(block.stateDict().keys == [
                "scale_factor", "running_mean", "encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                "heads.0.weight", "heads.1.weight", "heads.1.bias",
            ])
        }

        @Test func namedModulesListsEveryModuleOnce() throws {
            let block = try Block()
            #expect(block.namedModules().map(\.0) == ["", "encoder", "encoder.0", "encoder.1", "encoder.2", "heads.0", "heads.1"])
            #expect(block.children().map(\.0) == ["encoder", "heads.0", "heads.1"])
        }

        @Test func aSharedParameterIsListedOnce() throws {
            let a = Linear(2, 2), b = Linear(2, 2)
            b.weight = a.weight
            let model = Sequential([a, b])
            #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "1.bias"])
            #expect(model.stateDict().keys == ["0.weight", "0.bias", "1.weight", "1.bias"])
        }

        @Test func assigningAComputedTensorToAParameterMakesItALeaf() throws {
            let layer = Linear(2, 2)
            let source = try Tensor.ones([2, 2]).requiringGrad()
            layer.weight = try source * 3
            #expect(layer.weight.isLeaf)
            #expect(layer.weight.requiresGrad)
            #expect(try values(layer.weight) == [3, 3, 3, 3])
        }

        @Test func toDTypeConvertsFloatTensorsAndKeepsTrainability() throws {
            let a = Linear(2, 2), b = Linear(2, 2)
            b.weight = a.weight
            try #require(b.bias).requiresGrad = false
            let model = Sequential([a, b])
            let steps = CountingBuffer()
            let whole = Sequential([model, steps])
            try whole.to(.float64)
            #expect(whole.parameters().allSatisfy { $0.dtype == .float64 })
            #expect(a.weight === b.weight)
            #expect(a.weight.requiresGrad && !(b.bias?.requiresGrad ?? true))
            #expect(steps.count.dtype == .int64)
        }

        @Test func trainAndEvalPropagateToEverySubmodule() throws {
            let block = try Block()
            #expect(block.modules().allSatisfy { $0.isTraining })
            block.eval()
            #expect(block.modules().allSatisfy { !$0.isTraining })
            block.encoder.train()
            #expect(block.encoder.modules().allSatisfy { $0.isTraining })
            #expect(!block.isTraining && !block.heads[0].isTraining)
            block.train()
            #expect(block.modules().allSatisfy { $0.isTraining })
        }

        @Test func moduleZeroGradDropsGradients() throws {
            let layer = Linear(2, 1)
            try layer(Tensor.ones([3, 2])).sum().backward()
            #expect(layer.weight.grad != nil && layer.bias?.grad != nil)
            layer.zeroGrad()
            #expect(layer.weight.grad == nil && layer.bias?.grad == nil)
        }
    }

    @Suite("State dicts round-trip and report mismatches")
    struct StateDicts {
        @Test func roundTripCopiesValuesInPlace() throws {
            let source = try Block(generator: Generator(seed: 1)), target = try Block(generator: Generator(seed: 2))
            try source.runningMean.copy_(Tensor([0.5, -0.5]))
            let weightBefore = target.encoder[0].parameters()[0]
            #expect(try values(weightBefore) != values(source.encoder[0].parameters()[0]))
            try target.loadStateDict(source.stateDict())
            for ((key, a), (_, b)) in zip(source.stateDict(), target.stateDict()) {
                #expect(try values(a) == values(b), "\(key)")
            }
            // In place: the module still holds the same tensors, which still require grad.
            #expect(target.encoder[0].parameters()[0] === weightBefore)
            #expect(weightBefore.requiresGrad)
            #expect(try values(target.runningMean) == [0.5, -0.5])
            let x = try Tensor.randn([5, 4], generator: Generator(seed: 3))
            #expect(try values(target.encoder(x)) == values(source.encoder(x)))
        }

        @Test func stateDictTensorsShareStorageButNotGradients() throws {
            let layer = Linear(2, 2)
            let saved = try #require(layer.stateDict()["weight"])
            #expect(saved.storage === layer.weight.storage)
            #expect(!saved.requiresGrad)
        }

        @Test func missingKeysAreNamed() throws {
            let model = try Wrapper()
            var dict = model.stateDict()
            dict["fc.bias"] = nil
            let error = #expect(throws: TorchError.self) { try model.loadStateDict(dict) }
            #expect(error?.message.contains(#"Missing key(s) in state_dict: "fc.bias""#) == true)
        }

        @Test func unexpectedKeysAreNamed() throws {
            let model = try Wrapper()
            var dict = model.stateDict()
            dict["fc.extra"] = try Tensor.zeros([1])
            let error = #expect(throws: TorchError.self) { try model.loadStateDict(dict) }
            #expect(error?.message.contains(#"Unexpected key(s) in state_dict: "fc.extra""#) == true)
        }

        @Test func shapeMismatchNamesKeyAndBothShapesAndCopiesNothing() throws {
            let model = try Wrapper()
            let before = try values(model.fc.weight)
            let dict: StateDict = ["fc.weight": try Tensor.zeros([3, 4]), "fc.bias": try Tensor.zeros([4])]
            let error = #expect(throws: TorchError.self) { try model.loadStateDict(dict, strict: false) }
            #expect(error?.kind == .shapeMismatch)
            #expect(error?.message.contains("size mismatch for fc.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [4, 3]") == true)
            #expect(try values(model.fc.weight) == before)
            #expect(try values(model.fc.bias!) != [0, 0, 0, 0])
        }

        @Test func nonStrictLoadingReportsAndSkipsMismatchedKeys() throws {
            let model = try Wrapper()
            let dict: StateDict = ["fc.bias": try Tensor([1.0, 2, 3, 4]), "other": try Tensor.zeros([1])]
            let result = try model.loadStateDict(dict, strict: false)
            #expect(result.missingKeys == ["fc.weight"])
            #expect(result.unexpectedKeys == ["other"])
            #expect(try values(model.fc.bias!) == [1, 2, 3, 4])
        }

        @Test func loadingConvertsTheDType() throws {
            let layer = Linear(2, 1)
            try layer.loadStateDict(["weight": try Tensor([[1.5, -2.0]], dtype: .float64), "bias": try Tensor([0.25], dtype: .float64)])
            #expect(layer.weight.dtype == .float32)
            #expect(try values(layer(Tensor([[2.0, 1.0]]))) == [1.25])
        }
    }

    @Suite("Layers compute PyTorch's functions")
    struct Layers {
        @Test func linearInitIsUniformWithinOneOverSqrtFanIn() throws {
            let layer = Linear(100, 50, generator: Generator(seed: 7))
            #expect(layer.weight.shape == [50, 100])
            #expect(layer.bias?.shape == [50])
            let w = try values(layer.weight), b = try values(layer.bias!)
            #expect(w.allSatisfy { Swift.abs($0) <= 0.1 } && b.allSatisfy { Swift.abs($0) <= 0.1 })
            // Spread over the whole interval, centred: 5000 draws of U(-0.1, 0.1).
            #expect(w.max()! > 0.099 && w.min()! < -0.099)
            #expect(Swift.abs(w.reduce(0, +) / Double(w.count)) < 0.005)
            #expect(try values(Linear(100, 50, generator: Generator(seed: 7)).weight) == w)
            #expect(Linear(3, 2, bias: false).bias == nil)
            #expect(Linear(3, 2, bias: false).namedParameters().map(\.0) == ["weight"])
        }

        @Test func linearComputesXTimesWeightTransposedPlusBias() throws {
            let layer = Linear(2, 3, dtype: .float64)
            try layer.loadStateDict(["weight": try Tensor([[1.0, 2], [3, 4], [5, 6]]), "bias": try Tensor([0.5, -0.5, 1])])
            #expect(try values(layer(Tensor([[1.0, -1], [2, 0]], dtype: .float64))) == [-0.5, -1.5, 0, 2.5, 5.5, 11])
        }

        @Test func activationsMatchTheirFormulas() throws {
            let x = try Tensor([-2.0, 0, 1.5], dtype: .float64)
            #expect(try values(ReLU()(x)) == [0, 0, 1.5])
            let sigmoid = try values(Sigmoid()(x)), tanh = try values(Tanh()(x)), silu = try values(SiLU()(x))
            for (i, v) in [-2.0, 0, 1.5].enumerated() {
                #expect(Swift.abs(sigmoid[i] - 1 / (1 + Foundation.exp(-v))) < 1e-15)
                #expect(Swift.abs(tanh[i] - Foundation.tanh(v)) < 1e-15)
                #expect(Swift.abs(silu[i] - v / (1 + Foundation.exp(-v))) < 1e-15)
            }
            // PyTorch: gelu(-2) = -0.04550026389635842, tanh approximation -0.04540230591222987.
            #expect(Swift.abs(try values(GELU()(x))[0] + 0.04550026389635842) < 1e-12)
            #expect(Swift.abs(try values(GELU(approximate: .tanh)(x))[0] + 0.04540230591222987) < 1e-12)
        }

        @Test func softmaxAndLogSoftmaxNormaliseAlongTheirDimension() throws {
            let x = try Tensor([[1.0, 2, 3], [0, 0, 0]], dtype: .float64)
            let p = try Softmax(dim: 1)(x)
            #expect(try values(p.sum(dim: 1)).allSatisfy { Swift.abs($0 - 1) < 1e-15 })
            #expect(try Swift.abs(values(p)[3] - 1.0 / 3) < 1e-15)
            let logP = try values(LogSoftmax(dim: 1)(x)), logOfP = try values(p.log())
            #expect(zip(logP, logOfP).allSatisfy { Swift.abs($0 - $1) < 1e-14 })
        }

        @Test func flattenAndIdentityKeepTheElements() throws {
            let x = try Tensor.arange(24).reshape([2, 3, 4])
            #expect(try Flatten()(x).shape == [2, 12])
            #expect(try Flatten(startDim: 0, endDim: 1)(x).shape == [6, 4])
            #expect(try Identity()(x) === x)
        }

        @Test func sequentialBuilderChainsLayersWithConditionsAndLoops() throws {
            let deep = true
            let model = Sequential {
                Linear(4, 8)
                ReLU()
                for _ in 0..<2 { Linear(8, 8) }
                if deep { Tanh() } else { Identity() }
                Linear(8, 2)
            }
            #expect(model.count == 6)
            #expect(model.namedParameters().map(\.0) == [
                "0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias", "5.weight", "5.bias",
            ])
            let x = try Tensor.randn([3, 4])
            var manual = x
            for i in 0..<model.count { manual = try model[i](manual) }
            #expect(try values(model(x)) == values(manual))
            #expect(try Sequential([ReLU(), Tanh()])(Tensor([-1.0, 1.0])).toArray(of: Double.self)[0] == 0)
        }
    }

    @Suite("Dropout zeroes and rescales only in training")
    struct Dropouts {
        @Test func isTheIdentityInEvalModeAndForPZero() throws {
            let x = try Tensor.randn([100])
            #expect(try Dropout(p: 0.5).eval()(x) === x)
            #expect(try Dropout(p: 0)(x) === x)
        }

        @Test func dropsAboutPAndScalesSurvivorsInTraining() throws {
            let out = try values(Dropout(p: 0.25, generator: Generator(seed: 11))(Tensor.ones([20_000])))
            let zeros = out.filter { $0 == 0 }.count
            #expect(Swift.abs(Double(zeros) / 20_000 - 0.25) < 0.015)
            #expect(out.allSatisfy { $0 == 0 || $0 == Double(Float(1 / 0.75)) })
        }

        @Test func theSameSeedGivesTheSameMask() throws {
            let x = try Tensor.ones([1000])
            let a = try values(Dropout(p: 0.5, generator: Generator(seed: 3))(x))
            let b = try values(Dropout(p: 0.5, generator: Generator(seed: 3))(x))
            let c = try values(Dropout(p: 0.5, generator: Generator(seed: 4))(x))
            #expect(a == b)
            #expect(a != c)
        }

        @Test func gradientIsTheScaledMask() throws {
            let x = try Tensor.ones([1000]).requiringGrad()
            let y = try Dropout(p: 0.5, generator: Generator(seed: 5))(x)
            try y.sum().backward()
            #expect(try values(x.grad!) == values(y))
        }

        @Test func pOfOneDropsEverythingAndPOutOfRangeThrows() throws {
            #expect(try values(Dropout(p: 1)(Tensor.ones([10]))).allSatisfy { $0 == 0 })
            #expect(throws: TorchError.self) { try Dropout(p: 1.5)(Tensor.ones([10])) }
        }
    }

    @Suite("Loss modules call the functional losses")
    struct LossModules {
        @Test func lossModulesMatchFunctionalForms() throws {
            let logits = try Tensor([[2.0, 0.5, -1], [0.1, 0.2, 0.3]], dtype: .float64)
            let target = try Tensor([0, 2])
            #expect(try MSELoss()(Tensor([1.0, 2]), Tensor([0.0, 0])).item() == 2.5)
            #expect(try MSELoss(reduction: .sum)(Tensor([1.0, 2]), Tensor([0.0, 0])).item() == 5)
            let weight = try Tensor([1.0, 2, 3], dtype: .float64)
            #expect(try CrossEntropyLoss(weight: weight, labelSmoothing: 0.1)(logits, target).item()
                == crossEntropy(logits, target, weight: weight, labelSmoothing: 0.1).item())
            let logProbs = try logits.logSoftmax(dim: 1)
            #expect(try NLLLoss(ignoreIndex: 2)(logProbs, target).item() == -logProbs.toArray(of: Double.self)[0])
            let bce = try BCEWithLogitsLoss(posWeight: Tensor([2.0], dtype: .float64))(Tensor([0.0], dtype: .float64), Tensor([1.0], dtype: .float64))
            #expect(Swift.abs(try bce.item() - 2 * 0.6931471805599453) < 1e-15)
        }

        @Test func lossWeightsAreBuffersWithPyTorchKeys() throws {
            #expect(CrossEntropyLoss(weight: try Tensor([1.0, 2])).stateDict().keys == ["weight"])
            #expect(BCEWithLogitsLoss(posWeight: try Tensor([3.0])).stateDict().keys == ["pos_weight"])
            #expect(CrossEntropyLoss().stateDict().count == 0)
        }
    }
}
