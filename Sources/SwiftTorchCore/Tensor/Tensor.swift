/// An n-dimensional array: a view (shape, strides in elements, offset) over a shared ``Storage``.
///
/// Tensors are reference types, as in PyTorch: autograd state (``grad``, ``requiresGrad``)
/// belongs to one object that every holder sees. Operations live in the `SwiftTorch`
/// module and all go through the dispatcher.
public final class Tensor {
    // The data fields change only through `setData(_:)` (PyTorch's `tensor.data = ...`,
    // which `Module.to` needs to move a parameter without replacing it). Reads are on every
    // hot path, so the getters are inlinable and the fields skip dynamic exclusivity checks,
    // which a plain `var` would pay on each read (a runtime call), unlike the `let` they were.
    @exclusivity(unchecked) @usableFromInline var _storage: Storage
    @exclusivity(unchecked) @usableFromInline var _shape: [Int]
    @exclusivity(unchecked) @usableFromInline var _strides: [Int]
    @exclusivity(unchecked) @usableFromInline var _offset: Int
    @exclusivity(unchecked) @usableFromInline var _dtype: DType

    /// The memory the tensor views; views of one tensor share it.
    @inlinable public var storage: Storage { _storage }
    /// The sizes of the dimensions, PyTorch's `shape`.
    @inlinable public var shape: [Int] { _shape }
    /// Element strides per dimension; 0 for a broadcast (expanded) dimension.
    @inlinable public var strides: [Int] { _strides }
    /// First element, counted in elements from the start of `storage`.
    @inlinable public var offset: Int { _offset }
    /// The element type.
    @inlinable public var dtype: DType { _dtype }
    /// A Swift number used as an operand (`x + 2`). It takes part in type promotion with
    /// the lowest priority, as a Python scalar does in PyTorch.
    public let isWrappedNumber: Bool

    // Autograd state. The SwiftTorch module owns the rules; the fields live here so that
    // every tensor can carry them.
    /// Whether operations on this tensor are recorded for ``backward(gradient:retainGraph:)``.
    ///
    /// Every call reads it for every input; `@exclusivity(unchecked)` spares those reads the
    /// run-time exclusivity check (about 60 instructions each). Nothing here ever hands out a
    /// long-lived `inout` access to it, so no overlapping access can arise.
    @exclusivity(unchecked) public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// The node that produced this tensor; `nil` for leaves.
    public var gradFn: AutogradNode?
    /// Which output of `gradFn` this tensor is.
    public var outputIndex: Int = 0
    /// A non-leaf that keeps its `.grad` (PyTorch's `retain_grad()`).
    public var retainsGrad = false
    /// Called after a backward pass has added all of its gradient for this leaf to `.grad`
    /// (PyTorch's post-accumulate-grad hooks); set through `registerPostAccumulateGradHook`.
    /// Empty for almost every tensor, which costs the engine one check per leaf edge.
    package var postAccumulateGradHooks: [(id: Int, call: (Tensor) throws -> Void)] = []

    /// Whether this tensor object is the only one that refers to its storage (no view, no
    /// alias, no other tensor sharing the memory), so that writing the memory in place can
    /// change no other tensor. SwiftTorchDistributed all-reduces a lone gradient in its own
    /// memory when this holds (and nothing else holds the gradient's object either).
    package var isSoleOwnerOfStorage: Bool { isKnownUniquelyReferenced(&_storage) }

    /// A view of `storage` with the given geometry, for tensors that users and files
    /// describe. Throws when the geometry is not one a tensor may have: a negative size or
    /// stride, a negative offset, sizes whose product overflows an `Int`, or an element
    /// reached outside the storage (see ``ShapeArithmetic/checkView(_:shape:strides:offset:dtype:storageBytes:)``).
    public convenience init(storage: Storage, shape: [Int], strides: [Int], offset: Int, dtype: DType,
                            isWrappedNumber: Bool = false, requiresGrad: Bool = false) throws {
        try ShapeArithmetic.checkView("Tensor(storage:)", shape: shape, strides: strides, offset: offset, dtype: dtype,
                                      storageBytes: storage.byteCount)
        self.init(uncheckedStorage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype,
                  isWrappedNumber: isWrappedNumber, requiresGrad: requiresGrad)
    }

    /// A view whose geometry the library has already proven to lie inside `storage` (an
    /// operator's output, a view computed from a valid tensor's geometry). Nothing is
    /// checked: a wrong geometry here reads and writes outside the storage. Everything a
    /// user or a file describes goes through ``init(storage:shape:strides:offset:dtype:isWrappedNumber:requiresGrad:)``.
    package init(uncheckedStorage storage: Storage, shape: [Int], strides: [Int], offset: Int, dtype: DType,
                 isWrappedNumber: Bool = false, requiresGrad: Bool = false) {
        self._storage = storage
        self._shape = shape
        self._strides = strides
        self._offset = offset
        self._dtype = dtype
        self.isWrappedNumber = isWrappedNumber
        self.requiresGrad = requiresGrad
    }

    /// A new, contiguous, zero-filled tensor on the CPU; throws for a bad shape, and
    /// `outOfMemory` when its bytes cannot be had. `op` names the caller in the error.
    public convenience init(zerosOnCPU shape: [Int], dtype: DType, for op: String = "Tensor(zerosOnCPU:)") throws {
        let bytes = try ShapeArithmetic.byteCount(op, shape, dtype)
        let storage: Storage
        do { storage = try .cpu(byteCount: bytes) } catch let error as TorchError { throw error.raised(by: op) }
        self.init(uncheckedStorage: storage, shape: shape,
                  strides: Tensor.contiguousStrides(for: shape), offset: 0, dtype: dtype)
    }

    /// A view of `base`'s storage with other geometry, checked against that storage as
    /// ``init(storage:shape:strides:offset:dtype:isWrappedNumber:requiresGrad:)`` is.
    /// Autograd state is not carried over: view operators are recorded by the dispatcher
    /// like any other.
    public convenience init(viewOf base: Tensor, shape: [Int], strides: [Int], offset: Int) throws {
        try ShapeArithmetic.checkView("Tensor(viewOf:)", shape: shape, strides: strides, offset: offset, dtype: base.dtype,
                                      storageBytes: base.storage.byteCount)
        self.init(uncheckedStorage: base.storage, shape: shape, strides: strides, offset: offset, dtype: base.dtype)
    }

    /// A view of `base`'s storage whose geometry the caller has proven to lie inside it
    /// (see ``init(uncheckedStorage:shape:strides:offset:dtype:isWrappedNumber:requiresGrad:)``).
    package convenience init(uncheckedViewOf base: Tensor, shape: [Int], strides: [Int], offset: Int) {
        self.init(uncheckedStorage: base.storage, shape: shape, strides: strides, offset: offset, dtype: base.dtype)
    }

    /// Makes this tensor hold `source`'s elements (its storage, shape, strides, offset and
    /// dtype) while it stays the same object with its own autograd fields: PyTorch's
    /// `tensor.data = source`. `Module.to(_:)` moves parameters this way, so that an
    /// optimizer holding them keeps updating the model. Like PyTorch's, it is not recorded
    /// by autograd and must not race with other uses of this tensor.
    public func setData(_ source: Tensor) {
        _storage = source.storage
        _shape = source.shape
        _strides = source.strides
        _offset = source.offset
        _dtype = source.dtype
    }

    /// Where the elements live.
    public var device: Device { storage.device }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// A leaf is a tensor that no recorded operation produced.
    public var isLeaf: Bool { gradFn == nil }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = running
            running *= max(shape[d], 1)
        }
        return strides
    }

    /// Whether `strides` are exactly ``contiguousStrides(for:)`` of `shape` (checked without
    /// building that list).
    @inline(__always)
    @inlinable
    public static func isRowMajor(_ shape: [Int], _ strides: [Int]) -> Bool {
        var running = 1
        var d = shape.count - 1
        while d >= 0 {
            if strides[d] != running { return false }
            running *= max(shape[d], 1)
            d -= 1
        }
        return true
    }

    /// Whether the elements lie in row-major order without gaps (size-1 dims may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: rank - 1, through: 0, by: -1) where shape[d] != 1 {
            if shape[d] == 0 { return true }
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }
}

/// One edge of the autograd graph: where the gradient of an operator's input goes.
public enum GradientEdge {
    /// Into the `outputIndex`-th output of an earlier node.
    case node(AutogradNode, outputIndex: Int)
    /// Into a leaf's `.grad`.
    case leaf(Tensor)
}

/// A recorded operation: given the gradients of its outputs, it returns those of its inputs.
public final class AutogradNode {
    /// PyTorch-style name, e.g. `AddBackward0`.
    public let name: String
    /// One entry per tensor input of the operator; `nil` where no gradient flows.
    /// Variable only so that `deinit` can take the edges apart (see there).
    public private(set) var edges: [GradientEdge?]
    /// How many outputs the operation had.
    public let outputCount: Int
    /// The gradient formula with its saved tensors; dropped after a backward pass that does
    /// not retain the graph.
    public var apply: (([Tensor?]) throws -> [Tensor?])?
    /// Saved tensors with the storage version they had when saved.
    public let savedVersions: [(tensor: Tensor, version: Int)]
    /// Shapes and dtypes of the outputs, to make zero gradients for unused outputs.
    public let outputShapes: [[Int]]
    /// The outputs' element types.
    public let outputDTypes: [DType]
    /// The outputs' device.
    public let outputDevice: Device

    /// A node for one recorded call; `apply` maps output gradients to input gradients.
    public init(name: String, edges: [GradientEdge?], outputShapes: [[Int]], outputDTypes: [DType],
                outputDevice: Device, savedVersions: [(tensor: Tensor, version: Int)],
                apply: @escaping ([Tensor?]) throws -> [Tensor?]) {
        self.name = name
        self.edges = edges
        self.outputCount = outputShapes.count
        self.outputShapes = outputShapes
        self.outputDTypes = outputDTypes
        self.outputDevice = outputDevice
        self.savedVersions = savedVersions
        self.apply = apply
    }

    /// Frees the part of the graph that only this node kept alive, in a loop rather than by
    /// recursion. Left to Swift, releasing the last reference to the head of a chain of a
    /// million recorded operations (a long `total = total + loss`) would run a million
    /// nested `deinit`s and overflow the stack. Here each node hands its uniquely held
    /// predecessors to a worklist before it goes, so every `deinit` finds its edges already
    /// taken and the stack stays one frame deep (PyTorch's `deleteNode` does the same).
    deinit {
        var worklist: [AutogradNode] = []
        AutogradNode.takeUniquePredecessors(of: &edges, into: &worklist)
        while let node = worklist.popLast() {
            AutogradNode.takeUniquePredecessors(of: &node.edges, into: &worklist)
            // `node` is released here, its edges already empty: its deinit does not recurse.
        }
    }

    /// Clears the node edges of `edges`, appending each predecessor that nothing else holds
    /// to `worklist`; one that others still hold stays alive with them.
    private static func takeUniquePredecessors(of edges: inout [GradientEdge?], into worklist: inout [AutogradNode]) {
        for i in edges.indices {
            guard case .node(var predecessor, _)? = edges[i] else { continue }
            edges[i] = nil
            if isKnownUniquelyReferenced(&predecessor) { worklist.append(predecessor) }
        }
    }
}
