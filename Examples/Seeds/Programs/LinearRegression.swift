import Foundation
import SwiftTorch

/// `nn.Linear(3, 1)` fitted with `MSELoss` and SGD to `y = x w + 1` with
/// `w = [2, -3, 0.5]`. Returns the trained layer.
public func linearRegression() throws -> Linear {
    // snippet: seed-linear-regression
    manualSeed(0)
    let x = try Tensor.randn([100, 3])
    let y = try x.matmul(Tensor([[2.0], [-3.0], [0.5]])) + 1.0

    let model = Linear(3, 1)
    let lossFunction = MSELoss()
    let optimizer = try SGD(model.parameters(), lr: 0.1)

    for epoch in 1...200 {
        optimizer.zeroGrad()
        let loss = try lossFunction(model(x), y)
        try loss.backward()
        try optimizer.step()
        if epoch % 50 == 0 { print("epoch \(epoch): loss \(try loss.item())") }
    }
    // end snippet
    return model
}
