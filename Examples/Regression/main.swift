// The tiny regression of PyTorch's first tutorial: fit y = 2 x1 - 3 x2 + 0.5 x3 + 1 with
// Linear(3, 1), MSELoss and SGD, printing the loss every 20 epochs.
//
//   swift run regression
import SwiftTorch

manualSeed(0)
let x = try Tensor.randn([100, 3])
let trueWeight = try Tensor([[2.0], [-3.0], [0.5]])
let y = try x.matmul(trueWeight) + 1.0 + Tensor.randn([100, 1]) * 0.01

let model = Linear(3, 1)
let lossFunction = MSELoss()
let optimizer = try SGD(model.parameters(), lr: 0.1)

for epoch in 1...100 {
    optimizer.zeroGrad()
    let loss = try lossFunction(model(x), y)
    try loss.backward()
    try optimizer.step()
    if epoch % 20 == 0 {
        print("epoch \(epoch): loss \(try loss.item())")
    }
}
print("learned weight: \(model.weight)")
print("learned bias: \(model.bias!)")
