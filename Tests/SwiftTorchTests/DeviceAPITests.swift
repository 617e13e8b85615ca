import Testing
@testable import SwiftTorch
import SwiftTorchCore

/// `torch.cuda.is_available()`, `device_count()`, `get_device_name(i)`, `torch.__version__`,
/// the cuda-else-cpu line, and `model.to(device)` keeping the parameters an optimizer holds.
@Suite("Device API")
struct DeviceAPITests {
    @Test("the cuda-else-cpu line is one line, and cuda's answers agree with each other")
    func deviceChoice() throws {
        let device: Device = cuda.isAvailable ? .cuda : .cpu
        if cuda.isAvailable {
            #expect(device == .cuda(0))
            #expect(cuda.deviceCount >= 1)
            #expect(cuda.unavailableReason == nil)
            #expect(try !cuda.deviceName(0).isEmpty)
        } else {
            #expect(device == .cpu)
            #expect(cuda.deviceCount == 0)
            let reason = try #require(cuda.unavailableReason)
            #expect(!reason.isEmpty)
            let error = #expect(throws: TorchError.self) { try cuda.deviceName(0) }
            #expect(error?.kind == .backendUnavailable)
            #expect(error?.message.contains(reason) == true)
        }
        #expect(throws: TorchError.self) { try cuda.deviceName(cuda.deviceCount) }
    }

    @Test("device names come from the plugin's description lines, in index order")
    func deviceNamesFromDetails() {
        // The lines the cuda plugin writes for `swifttorch info` (Backends/CUDA/src/swifttorch_cuda.c).
        let details = ["cuda:1 NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB)", "cuda:0 NVIDIA A100-SXM4-80GB (sm_80, 108 SMs, 79.3 GiB)",
                       "CUDA driver API 12.8; NVRTC 12.8; kernel cache: off"]
        #expect(CUDADevices.deviceNames(fromDetails: details) == ["NVIDIA A100-SXM4-80GB", "NVIDIA H200"])
        #expect(CUDADevices.deviceNames(fromDetails: ["cuda:0 GPU (a) (sm_75, 40 SMs, 15.0 GiB)\nTF32: off"]) == ["GPU (a)"])
        #expect(CUDADevices.deviceNames(fromDetails: []).isEmpty)
    }

    @Test("the version constant is the library's, as torch.__version__")
    func versionConstant() {
        #expect(SwiftTorch.version == SwiftTorchVersion.string)
        #expect(SwiftTorch.version.split(separator: ".").count == 3)
    }

    final class Net: Module {
        let fc1 = Linear(3, 4)
        let bn = BatchNorm1d(4)
        let fc2 = Linear(4, 1)

        func callAsFunction(_ x: Tensor) throws -> Tensor { try fc2(bn(fc1(x)).relu()) }
    }

    @Test("model.to keeps every parameter object, so an optimizer made before it still trains the model")
    func moveKeepsIdentity() throws {
        manualSeed(3)
        let model = Net()
        let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let before = model.parameters()
        let buffers = model.buffers()
        let device: Device = cuda.isAvailable ? .cuda : .cpu
        try model.to(device).to(.cpu)                 // a round trip where there is a GPU, CPU to CPU here
        try model.to(.float64)                         // a dtype change moves data whatever the machine
        #expect(zip(before, model.parameters()).allSatisfy { $0 === $1 })
        #expect(zip(buffers, model.buffers()).allSatisfy { $0 === $1 })
        #expect(model.parameters().allSatisfy { $0.dtype == .float64 && $0.requiresGrad && $0.isLeaf })
        #expect(model.bn.numBatchesTracked?.dtype == .int64)
        let x = try Tensor.randn([8, 3], dtype: .float64), y = try Tensor.randn([8, 1], dtype: .float64)
        let start = try model.fc1.weight.toArray(of: Double.self)
        var losses: [Double] = []
        for _ in 0..<10 {
            optimizer.zeroGrad()
            let loss = try MSELoss()(model(x), y)
            try loss.backward()
            try optimizer.step()
            losses.append(try loss.item())
        }
        #expect(try model.fc1.weight.toArray(of: Double.self) != start)
        #expect(losses.last! < losses.first!)
    }

    @Test("gradients move with their parameters, and tied tensors convert once")
    func gradientsAndSharing() throws {
        let shared = Linear(2, 2)
        let model = Sequential([shared, ReLU(), shared])
        try model(Tensor.ones([1, 2])).sum().backward()
        let grad = try #require(shared.weight.grad)
        try model.to(.float64)
        #expect(shared.weight.grad === grad)
        #expect(grad.dtype == .float64)
        #expect(shared.weight.dtype == .float64)
    }
}
