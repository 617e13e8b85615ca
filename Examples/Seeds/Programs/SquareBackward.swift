import Foundation
import SwiftTorch

/// The seed's first program: `y = (x ** 2).sum()`, `y.backward()`, then `x.grad`.
/// Returns the gradient (`2 * x`).
public func squareBackward() throws -> Tensor {
    // snippet: seed-square-backward
    let x = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
    let y = try (x ** 2).sum()
    try y.backward()
    print(x.grad!)                     // 2 * x
    // end snippet
    return x.grad!
}
