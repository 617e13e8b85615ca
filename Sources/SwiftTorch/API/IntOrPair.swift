/// One int used for both spatial dims, or a (height, width) pair: the `int[2]` arguments of
/// convolution and pooling, written `3` or `[3, 1]`, as PyTorch accepts them.
public struct IntOrPair: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public let height: Int
    public let width: Int

    public init(_ value: Int) { (height, width) = (value, value) }
    public init(_ height: Int, _ width: Int) { (self.height, self.width) = (height, width) }
    public init(integerLiteral value: Int) { self.init(value) }
    /// Two values (height, width), or one for both; other counts are reported by the operator.
    public init(arrayLiteral values: Int...) { self.init(list: values) }

    init(list: [Int]) {
        switch list.count {
        case 1: self.init(list[0])
        case 2: self.init(list[0], list[1])
        // An invalid count is kept visible (negative sizes) so the operator's check names it.
        default: self.init(-1, -1)
        }
    }

    var values: [Int] { [height, width] }
}
