// Uses SwiftTorch through its public API only and checks values computed by hand:
//   [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] = [[19, 22], [43, 50]], whose sum is 134;
//   a 3x3 image of ones convolved with a 2x2 kernel of ones is four 4s, max-pooled to 4.
import SwiftTorch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func check() throws -> Bool {
    let a = try Tensor([[1.0, 2.0], [3.0, 4.0]])
    let b = try Tensor([[5.0, 6.0], [7.0, 8.0]])
    let product = try a.matmul(b)
    let total = try product.sum().item(Double.self)
    let dtype: DType = product.dtype
    print("SwiftTorch \(SwiftTorchVersion.string): \(product)")
    print("sum = \(total) (\(dtype))")
    let values = try product.toArray(of: Double.self)
    let image = try Tensor.ones([1, 1, 3, 3])
    let convolved = try conv2d(image, weight: Tensor.ones([1, 1, 2, 2]), stride: [1, 1])
    let pooled = try MaxPool2d(kernelSize: 2)(convolved)
    let convolvedValues = try convolved.toArray(of: Double.self), pooledValues = try pooled.toArray(of: Double.self)
    print("conv2d: \(convolved.shape) \(convolvedValues), max-pooled: \(pooledValues)")
    return product.shape == [2, 2] && dtype == .float32 && values == [19, 22, 43, 50] && total == 134
        && convolved.shape == [1, 1, 2, 2] && convolvedValues == [4, 4, 4, 4] && pooledValues == [4]
}

do {
    if try check() {
        print("consumer: OK")
    } else {
        print("consumer: FAILED: unexpected result")
        exit(1)
    }
} catch {
    print("consumer: FAILED: \(error)")
    exit(1)
}
