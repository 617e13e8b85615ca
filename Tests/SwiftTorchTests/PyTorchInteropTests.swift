import Foundation
import Testing
@testable import SwiftTorch

// The other direction: a checkpoint SwiftTorch writes is read by PyTorch itself, with
// `torch.load(path, weights_only=True)`, and loaded into a PyTorch model and optimizer. It
// runs where python3 can import torch (this project's machines have PyTorch 2.15); elsewhere
// the test is reported as skipped, with the reason.

enum PythonTorch {
    /// Whether `python3 -c "import torch"` succeeds here.
    static let available: Bool = {
        (try? runSubprocess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import torch"]).status) == 0
    }()

    /// Loads the checkpoint at argv[1] with weights_only=True, loads its parts into a model and
    /// an SGD optimizer, and writes what it read as JSON to argv[2].
    static let reader = #"""
        import json, sys, torch
        ckpt = torch.load(sys.argv[1], weights_only=True)
        model = torch.nn.Sequential(torch.nn.Linear(3, 2))
        model.load_state_dict(ckpt["model"])
        sgd = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.1)
        sgd.load_state_dict(ckpt["optimizer"])
        tensors = {}
        def walk(prefix, v):
            if isinstance(v, torch.Tensor):
                tensors[prefix] = {"dtype": str(v.dtype), "shape": list(v.shape), "values": [float(x) for x in v.flatten().tolist()]}
            elif isinstance(v, dict):
                for k, x in v.items(): walk(f"{prefix}.{k}" if prefix else str(k), x)
            elif isinstance(v, (list, tuple)):
                for i, x in enumerate(v): walk(f"{prefix}.{i}", x)
        walk("", ckpt)
        views = ckpt["views"]
        json.dump({"tensors": tensors, "epoch": ckpt["epoch"], "loss": ckpt["loss"], "name": ckpt["name"],
                   "none": ckpt["none"] is None, "mixed": ckpt["mixed"],
                   "shared": len({t.untyped_storage().data_ptr() for t in views.values()}) == 1,
                   "row_offset": views["row"].storage_offset(), "t_stride": list(views["t"].stride()),
                   "lr": sgd.param_groups[0]["lr"], "momentum": sgd.param_groups[0]["momentum"],
                   "buffer": sgd.state[model[0].weight]["momentum_buffer"].flatten().tolist()}, open(sys.argv[2], "w"))
        """#
}

private struct PythonView: Decodable {
    struct TensorView: Decodable {
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }
    let tensors: [String: TensorView]
    let epoch: Int
    let loss: Double
    let name: String
    let none: Bool
    let mixed: [Double]
    let shared: Bool
    let row_offset: Int
    let t_stride: [Int]
    let lr: Double
    let momentum: Double
    let buffer: [Double]
}

@Suite("PyTorch reads what SwiftTorch writes")
struct PyTorchInteropTests {
    @Test("torch.load(weights_only=True) reads a SwiftTorch checkpoint; its model and SGD load it",
          .enabled(if: PythonTorch.available, "python3 cannot import torch here, so the PyTorch round trip did not run"))
    func pytorchLoadsASwiftTorchCheckpoint() throws {
        try withDataTestFolder { folder in
            let model = Sequential {
                Linear(3, 2)
            }
            let sgd = try SGD(model.parameters(), lr: 0.05, momentum: 0.9)
            try MSELoss()(model(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float32)), Tensor.zeros([2, 2])).backward()
            try sgd.step()
            let base = try Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float64)
            let checkpoint: PyTorchValue = .dict([
                "model": model.stateDict().pytorchValue, "optimizer": try sgd.stateDict().pytorchValue,
                "epoch": .int(5), "loss": .double(0.125), "name": .string("run-1"), "none": .none,
                "mixed": .list([.int(1), .double(2.5), .int(-3)]),
                "views": .dict(["base": .tensor(base), "t": .tensor(try base.t()), "row": .tensor(try base.narrow(dim: 0, start: 1, length: 1))]),
                "ints": .tensor(try Tensor([Int32.min, 7, Int32.max], shape: [3])), "flags": .tensor(try Tensor([true, false, true], shape: [3])),
                "big": .tensor(try Tensor([Int64.min, Int64.max], shape: [2])), "scalar": .tensor(try Tensor(0.5, dtype: .float32)),
            ])
            let file = folder.appendingPathComponent("swift-checkpoint.pt"), output = folder.appendingPathComponent("read.json")
            try savePyTorch(checkpoint, to: file)
            let run = try runSubprocess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", PythonTorch.reader, file.path, output.path])
            try #require(run.status == 0, "PyTorch could not read the file: \(run.standardError)")
            let seen = try JSONDecoder().decode(PythonView.self, from: Data(contentsOf: output))

            for (name, tensor) in checkpoint.namedTensors() {
                let python = try #require(seen.tensors[name], "PyTorch did not see \(name)")
                #expect(python.dtype == "torch.\(tensor.dtype)", "\(name)")
                #expect(python.shape == tensor.shape, "\(name)")
                if tensor.dtype == .int64 {
                    // JSON doubles cannot hold every int64; the extremes are exact powers of two.
                    let exact: [Double] = try tensor.toArray(of: Int64.self).map { Double($0) }
                    #expect(python.values == exact, "\(name)")
                } else {
                    #expect(python.values == (try tensor.toArray(of: Double.self)), "\(name)")
                }
            }
            #expect(seen.tensors.count == checkpoint.namedTensors().count)
            #expect(seen.epoch == 5 && seen.loss == 0.125 && seen.name == "run-1" && seen.none)
            #expect(seen.mixed == [1, 2.5, -3])
            #expect(seen.shared, "the three views load as views of one storage in PyTorch")
            #expect(seen.row_offset == 4 && seen.t_stride == [1, 4])
            #expect(seen.lr == 0.05 && seen.momentum == 0.9)
            #expect(seen.buffer == (try sgd.stateDict().state[0]!["momentum_buffer"]!.toArray(of: Double.self)))
        }
    }
}
