import Foundation
import SwiftTorch

/// The seed's Adam program: a 6-16-1 `Sequential` fitted to `y = sum(x)` over 64 random
/// samples. Returns the final training loss.
public func adam() throws -> Double {
    manualSeed(1)
    let x = try Tensor.randn([64, 6]), y = try x.sum(dim: 1, keepdim: true)
    // snippet: seed-adam
    let model = Sequential {
        Linear(6, 16)
        ReLU()
        Linear(16, 1)
    }
    let optimizer = try Adam(model.parameters(), lr: 1e-2)
    let lossFunction = MSELoss()
    for _ in 1...300 {
        optimizer.zeroGrad()
        let loss = try lossFunction(model(x), y)
        try loss.backward()
        try optimizer.step()
    }
    // end snippet
    return try lossFunction(model(x), y).item()
}
