import Foundation
import Testing
@testable import SwiftTorch

// `.pt` files: what PyTorch 2.15 wrote loads exactly (the shared fixtures and this suite's
// own, made by Resources/make-pt-fixtures.py), views keep sharing one storage, modules and
// optimizers load PyTorch's state dicts, and what SwiftTorch writes reads back.

/// A fixture of Resources/pt-extra, written by make-pt-fixtures.py.
func extraFixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/pt-extra"))
}

/// Whether `actual` has `expected`'s dtype, shape and exact values.
func expectSameTensor(_ actual: Tensor, _ expected: Tensor, _ name: String) throws {
    #expect(actual.dtype == expected.dtype, "\(name): dtype")
    #expect(actual.shape == expected.shape, "\(name): shape")
    guard actual.dtype == expected.dtype, actual.shape == expected.shape else { return }
    if actual.dtype.isFloatingPoint {
        let a = try actual.toArray(of: Double.self), e = try expected.toArray(of: Double.self)
        #expect(a.map(\.bitPattern) == e.map(\.bitPattern), "\(name): values")
    } else {
        #expect(try actual.toArray(of: Int64.self) == expected.toArray(of: Int64.self), "\(name): values")
    }
}

/// Every tensor of each `.pt` file equals the one stored under `FILE/KEY` in `expected`.
func expectFilesMatch(_ files: [URL], expected: URL) throws {
    let reference = try Safetensors.load(from: expected)
    var seen = Set<String>()
    for file in files {
        let name = file.lastPathComponent
        for (key, tensor) in try loadPyTorch(file).namedTensors() {
            let full = "\(name)/\(key)"
            seen.insert(full)
            let want = try #require(reference[full], "\(full) is not in \(expected.lastPathComponent)")
            try expectSameTensor(tensor, want, full)
        }
    }
    #expect(seen == Set(reference.keys), "every expected tensor was loaded")
}

@Suite("PyTorch .pt files")
struct PyTorchFileTests {
    @Test("PyTorch's fixtures load, every tensor exact")
    func sharedFixturesLoadExactly() throws {
        let files = try ["mlp-state-dict.pt", "checkpoint.pt", "views.pt"].map(interopFixture)
        try expectFilesMatch(files, expected: interopFixture("pt-expected.safetensors"))
    }

    @Test("the extra fixtures load: BatchNorm buffers, Adam state, float64 views, int32, 0-d and empty tensors")
    func extraFixturesLoadExactly() throws {
        let files = try ["batchnorm.pt", "adam.pt", "tensors.pt"].map(extraFixture)
        try expectFilesMatch(files, expected: extraFixture("pt-extra-expected.safetensors"))
    }

    @Test("tensors that shared a storage in PyTorch share one here, with their offsets and strides")
    func viewsShareOneStorage() throws {
        let file = try loadPyTorch(interopFixture("views.pt"))
        let views = try ["base", "transposed", "row", "stepped"].map { try #require(file[$0]?.tensorValue) }
        #expect(views.allSatisfy { $0.storage === views[0].storage })
        #expect(views[1].strides == [1, 6])
        #expect(views[2].offset == 6)
        #expect(views[3].strides == [6, 2])
        #expect(file["ints"]?.tensorValue?.dtype == .int64)
        #expect(file["flags"]?.tensorValue?.dtype == .bool)
        // A write through the base shows through every view, as in PyTorch.
        try views[0].narrow(dim: 0, start: 1, length: 1).fill_(100)
        #expect(try views[2].toArray(of: Float.self) == Array(repeating: 100, count: 6))

        let extra = try loadPyTorch(extraFixture("tensors.pt"))
        let doubles = try ["base64", "transposed64", "stepped64"].map { try #require(extra[$0]?.tensorValue) }
        #expect(doubles.allSatisfy { $0.storage === doubles[0].storage && $0.dtype == .float64 })
        #expect(doubles[2].offset == 7)
    }

    @Test("the checkpoint's numbers, the optimizer's options and the non-tensor values read as Python wrote them")
    func nonTensorValues() throws {
        let checkpoint = try loadPyTorch(interopFixture("checkpoint.pt"))
        #expect(checkpoint["epoch"]?.intValue == 3)
        #expect(checkpoint["loss"]?.doubleValue != nil)
        let group = try #require(checkpoint["optimizer"]?["param_groups"]?.listValue?.first)
        #expect(group["lr"]?.doubleValue == 0.1)
        #expect(group["momentum"]?.doubleValue == 0.9)
        #expect(group["nesterov"].map { if case .bool(false) = $0 { true } else { false } } == true)
        #expect(group["params"]?.listValue?.compactMap(\.intValue) == [0, 1, 2, 3])

        let tensors = try loadPyTorch(extraFixture("tensors.pt"))
        #expect(tensors["nested"]?["list"]?.listValue?.compactMap(\.intValue) == [1, -2, 1 << 40, -(1 << 62)])
        #expect(tensors["nested"]?["tuple"]?.listValue?.compactMap(\.doubleValue) == [0.5, .infinity, -.infinity])
        #expect(tensors["text"]?.stringValue == "ünïcode ✓")
        let deep = try #require(tensors["nested"]?["deep"]?["x"]?.listValue?.first?.listValue)
        #expect(deep.count == 2)
        if case .bool(true) = deep[0], case .none = deep[1] {} else { Issue.record("expected [True, None], got \(deep)") }
        #expect(tensors["scalar"]?.tensorValue?.shape == [])
        #expect(tensors["empty"]?.tensorValue?.shape == [0, 3])
    }

    @Test("a module loads PyTorch's BatchNorm state dict, num_batches_tracked included")
    func batchNormLoads() throws {
        let url = try extraFixture("batchnorm.pt")
        let model = Sequential {
            Linear(4, 3)
            BatchNorm1d(3)
        }
        try model.loadPyTorch(from: url)
        let saved = try loadPyTorch(url)
        for key in ["1.running_mean", "1.running_var", "1.num_batches_tracked", "0.weight"] {
            try expectSameTensor(#require(model.stateDict()[key]), #require(saved[key]?.tensorValue), key)
        }
        #expect(try model.stateDict()["1.num_batches_tracked"]?.item() == 2)
    }

    @Test("SGD loads PyTorch's momentum buffers from a checkpoint")
    func sgdLoadsMomentum() throws {
        let url = try interopFixture("checkpoint.pt")
        let model = Sequential {
            Linear(64, 32)
            ReLU()
            Linear(32, 10)
        }
        try model.loadPyTorch(from: url, key: "model")
        let sgd = try SGD(model.parameters(), lr: 1, momentum: 0.5)
        try sgd.loadPyTorch(from: url, key: "optimizer")
        #expect(sgd.paramGroups[0].lr == 0.1)
        #expect(sgd.paramGroups[0].options.momentum == 0.9)
        try expectStateMatches(sgd, url, names: ["momentum_buffer"])
    }

    /// Each of the 4 parameters' state `names` in `optimizer` equals the file's `optimizer.state`.
    private func expectStateMatches(_ optimizer: any Optimizer, _ url: URL, names: [String]) throws {
        let saved = try #require(loadPyTorch(url)["optimizer"]?["state"])
        let state = try optimizer.stateDict().state
        for index in 0..<4 {
            for name in names {
                try expectSameTensor(#require(state[index]?[name]), #require(saved[index]?[name]?.tensorValue), "\(name) \(index)")
            }
        }
    }

    @Test("Adam loads PyTorch's step, exp_avg and exp_avg_sq, and its betas tuple")
    func adamLoadsState() throws {
        let url = try extraFixture("adam.pt")
        let model = Sequential {
            Linear(3, 2)
            Tanh()
            Linear(2, 1)
        }
        try model.loadPyTorch(from: url, key: "model")
        let adam = try Adam(model.parameters())
        try adam.loadPyTorch(from: url, key: "optimizer")
        #expect(adam.paramGroups[0].options.betas == (0.8, 0.95))
        #expect(adam.paramGroups[0].options.eps == 1e-7)
        #expect(try adam.stateDict().state[2]?["step"]?.item() == 3)
        try expectStateMatches(adam, url, names: ["exp_avg", "exp_avg_sq"])
    }

    @Test("a dtype SwiftTorch lacks is a clear error naming it")
    func float16IsRefusedByName() throws {
        let error = try #require(throws: TorchError.self) { try loadPyTorch(extraFixture("half.pt")) }
        #expect(error.kind == .notImplemented)
        #expect(error.message.contains("float16") && error.message.contains("HalfStorage"))
    }

    @Test("a global outside the allow-list is refused by name, as weights_only refuses it")
    func unknownGlobalIsRefused() throws {
        let error = try #require(throws: TorchError.self) { try loadPyTorch(extraFixture("refused.pt")) }
        #expect(error.message.contains("refused global 'datetime.date'"))
    }

    @Test("what SwiftTorch saves reads back: values, dtypes, views of one storage, nested containers")
    func roundTrip() throws {
        try withDataTestFolder { folder in
            let base = try Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float64)
            let value: PyTorchValue = .dict([
                "base": .tensor(base), "t": .tensor(try base.t()), "row": .tensor(try base.narrow(dim: 0, start: 2, length: 1)),
                "ints": .tensor(try Tensor([Int32.min, 0, Int32.max], shape: [3])), "flags": .tensor(try Tensor([true, false], shape: [2])),
                "scalar": .tensor(try Tensor(1.5, dtype: .float32)), "empty": .tensor(try Tensor([Int64](), shape: [2, 0])),
                "numbers": .list([.int(0), .int(255), .int(65_536), .int(-1), .int(Int.max), .int(Int.min), .double(-0.25), .double(.nan)]),
                "nested": .dict([1: .list([.none, .bool(true), .string("é")]), "x": .dict([:])]),
            ])
            let url = folder.appendingPathComponent("round.pt")
            try savePyTorch(value, to: url)
            let back = try loadPyTorch(url)
            for (name, tensor) in value.namedTensors() {
                try expectSameTensor(#require(back.namedTensors().first { $0.name == name }?.tensor), tensor, name)
            }
            let views = try ["base", "t", "row"].map { try #require(back[$0]?.tensorValue) }
            #expect(views.allSatisfy { $0.storage === views[0].storage })
            #expect(back["numbers"]?.listValue?.prefix(6).compactMap(\.intValue) == [0, 255, 65_536, -1, Int.max, Int.min])
            #expect(back["numbers"]?.listValue?[6].doubleValue == -0.25)
            #expect(back["numbers"]?.listValue?[7].doubleValue?.isNaN == true)
            #expect(back["nested"]?[1]?.listValue?[2].stringValue == "é")
            #expect(back["nested"]?["x"]?.dictValue?.count == 0)
        }
    }

    @Test("an optimizer's state dict round-trips through a .pt file")
    func optimizerRoundTrip() throws {
        try withDataTestFolder { folder in
            let w = try Tensor([1, 2, 3], shape: [3], dtype: .float32)
            w.requiresGrad = true
            let adam = try Adam([w], lr: 0.1, betas: (0.7, 0.9))
            try (w * w).sum().backward()
            try adam.step()
            let url = folder.appendingPathComponent("adam.pt")
            try savePyTorch(adam.stateDict().pytorchValue, to: url)
            let fresh = try Adam([try Tensor([1, 2, 3], shape: [3], dtype: .float32)])
            try fresh.loadPyTorch(from: url)
            #expect(fresh.paramGroups[0].options.betas == (0.7, 0.9))
            #expect(try fresh.stateDict().state[0]?["exp_avg"]?.toArray(of: Float.self) == adam.stateDict().state[0]?["exp_avg"]?.toArray(of: Float.self))
        }
    }
}

@Suite("PyTorch .pt files: modules")
struct PyTorchModuleFileTests {
    @Test("a module's savePyTorch writes its state dict, which another module loads")
    func moduleRoundTrip() throws {
        try withDataTestFolder { folder in
            let url = folder.appendingPathComponent("model.pt")
            let model = Sequential {
                Linear(4, 3)
                BatchNorm1d(3)
            }
            try model.savePyTorch(to: url)
            let copy = Sequential {
                Linear(4, 3)
                BatchNorm1d(3)
            }
            try copy.loadPyTorch(from: url)
            for (key, tensor) in model.stateDict() {
                try expectSameTensor(#require(copy.stateDict()[key]), tensor, key)
            }
            #expect(try loadPyTorch(url).dictValue?.keys.map(\.description) == model.stateDict().keys)
        }
    }

    @Test("a state dict that does not fit the module throws naming the keys")
    func mismatchedStateDictThrows() throws {
        let small = Sequential {
            Linear(3, 2)
        }
        let error = try #require(throws: TorchError.self) { try small.loadPyTorch(from: interopFixture("mlp-state-dict.pt")) }
        #expect(error.message.contains("size mismatch for 0.weight"), "\(error.message)")
        let missingKey = try #require(throws: TorchError.self) { try small.loadPyTorch(from: interopFixture("checkpoint.pt"), key: "weights") }
        #expect(missingKey.message.contains("no entry 'weights'") && missingKey.message.contains("'epoch'"), "\(missingKey.message)")
        let notAStateDict = try #require(throws: TorchError.self) { try small.loadPyTorch(from: interopFixture("checkpoint.pt")) }
        #expect(notAStateDict.message.contains("not a state dict"), "\(notAStateDict.message)")
    }
}
