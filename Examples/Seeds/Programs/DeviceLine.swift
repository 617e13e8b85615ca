import Foundation
import SwiftTorch

/// The seed's device line: `cuda` when a GPU backend is available, else the CPU; a
/// `Linear(6, 5)` moved there and run. Returns the output.
public func deviceLine() throws -> Tensor {
    // snippet: seed-device
    let device: Device = cuda.isAvailable ? .cuda : .cpu
    print("Using \(device) device")
    let model = try Linear(6, 5).to(device)
    let x = try Tensor.rand([2, 6], device: device)
    let y = try model(x)
    // end snippet
    return y
}
