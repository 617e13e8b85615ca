import SwiftTorch

/// Data-parallel training across the ranks of a ``ProcessGroup``, as PyTorch's
/// `DistributedDataParallel`: every rank holds the same model, runs it on its own part of
/// the batch, and backward leaves every rank with the gradients averaged over all ranks, so
/// the optimizers, stepping alike, keep the models alike.
///
/// <!-- not run: the doc-snippet scanner reads Tests/SwiftTorchTests, which does not link MPI; WorldOfOneTests trains this way -->
/// ```swift
/// let group = try ProcessGroup.initialize()
/// let model = try DistributedDataParallel(MLP(), processGroup: group)
/// let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
/// optimizer.zeroGrad()
/// try lossFunction(model(inputs), labels).backward()   // gradients averaged over the ranks
/// try optimizer.step()
/// ```
///
/// - At construction, rank 0's parameters and buffers are broadcast to every rank.
/// - During backward, gradients travel in buckets of about `bucketCapMB` megabytes, each as
///   soon as its gradients are ready (see `GradientReducer`); `backward()` returns once every
///   gradient is averaged.
/// - `gradientAsBucketView` (PyTorch's `gradient_as_bucket_view`; on by default here, see
///   the initialiser): after a synchronised backward each `.grad` is a view into its
///   bucket, so the averages are not copied out again.
/// - ``noSync(_:)``: forward passes inside it leave the gradients local, to accumulate
///   several batches before one synchronised backward.
/// - `broadcastBuffers` (PyTorch's rule): before each forward pass that records gradients
///   outside `noSync`, rank 0's buffers (BatchNorm's running statistics) are broadcast: the
///   buffer tensors the model had at construction, listed once then as PyTorch does (a
///   buffer is updated in place, so the list stays right, and a forward pass does not walk
///   the model by reflection to find them).
///
/// The wrapper is a module whose one child is `module`, so its parameter names (and a
/// saved state dict) carry PyTorch's `module.` prefix. Its parameters are the model's own
/// tensors: an optimizer may take either.
public final class DistributedDataParallel<Wrapped: Module>: Module {
    /// The model being trained.
    public let module: Wrapped
    /// The ranks that train together.
    public let processGroup: ProcessGroup
    /// Whether rank 0's buffers are broadcast before each forward pass.
    public let broadcastBuffers: Bool
    /// The size of a gradient bucket, in megabytes (2^20 bytes).
    public let bucketCapMB: Double
    /// Whether each `.grad` is a view into its bucket after a synchronised backward.
    public let gradientAsBucketView: Bool
    let reducer: GradientReducer
    /// The model's buffers, listed at construction (PyTorch's `modules_buffers`).
    private let buffers: [Tensor]
    /// Inside ``noSync(_:)``.
    private var syncDisabled = false

    /// Wraps `module` (CPU tensors), broadcasting rank 0's parameters and buffers to every
    /// rank; all ranks must call it together. Throws for a model with a parameter off the
    /// CPU, or a `bucketCapMB` that is not positive.
    ///
    /// `gradientAsBucketView` chooses where the averaged gradients live after a synchronised
    /// backward:
    /// - `true` (the default here): each `.grad` is a view into its bucket's flat buffer, as
    ///   PyTorch's `gradient_as_bucket_view=True`. The buffer is allocated once and reused
    ///   by every pass, and nothing is copied out of it: the gradient enters the bucket in
    ///   one pass (multiplied by 1 / worldSize on the way) and the all-reduce runs on it in
    ///   place. A `.grad` kept from an earlier pass is never overwritten: while one still
    ///   views the buffer, the next pass takes a new buffer (`zeroGrad()`, which sets every
    ///   gradient to nil, releases it).
    /// - `false` (PyTorch's default): each `.grad` keeps its own tensor, and the average is
    ///   copied back into it: one more pass over the gradients per step, and the buckets'
    ///   memory on top of the gradients'.
    ///
    /// In either layout, a bucket that holds one parameter alone (one larger than about
    /// `bucketCapMB`, or any parameter under a small cap) is all-reduced in that parameter's
    /// own gradient, when nothing but `.grad` refers to it (the usual case: a fresh gradient
    /// from autograd): averaged in place, with no bucket buffer and no copy in or out. A
    /// gradient that anything else holds goes through the bucket as above, untouched.
    ///
    /// Why the default differs from PyTorch's: there, autograd adds into an existing `.grad`
    /// in place, so a gradient that views the bucket shares its memory in ways a caller can
    /// trip over (PyTorch documents that `detach_()` on such a gradient fails). SwiftTorch's
    /// autograd adds out of place, and the reducer never overwrites a buffer that a gradient
    /// still views, so the view layout changes no value a caller can observe, and saves a
    /// pass over the gradients every step.
    public init(_ module: Wrapped, processGroup: ProcessGroup, bucketCapMB: Double = 25, broadcastBuffers: Bool = true,
                gradientAsBucketView: Bool = true) throws {
        guard bucketCapMB > 0, bucketCapMB.isFinite else {
            throw TorchError(.invalidArgument, "DistributedDataParallel: bucketCapMB is \(bucketCapMB); it must be a positive number of megabytes")
        }
        self.module = module
        self.processGroup = processGroup
        self.broadcastBuffers = broadcastBuffers
        self.bucketCapMB = bucketCapMB
        let buffers = module.buffers()
        self.buffers = buffers
        self.gradientAsBucketView = gradientAsBucketView
        let trained = module.parameters().filter(\.requiresGrad)
        try withNoGrad {
            for tensor in module.parameters() + buffers { try processGroup.broadcast(tensor, from: 0) }
        }
        reducer = try GradientReducer(parameters: trained, group: processGroup,
                                      capBytes: Swift.max(1, Int(bucketCapMB * 1024 * 1024)), gradientAsBucketView: gradientAsBucketView)
        super.init()
    }

    /// Runs `body` (a forward pass of `module`) under DDP's rules: the buffers broadcast and
    /// the next backward synchronised, unless inside ``noSync(_:)`` or with recording off.
    /// For models that are not a ``UnaryLayer``; one that is may simply be called.
    public func forward<Result>(_ body: (Wrapped) throws -> Result) throws -> Result {
        let synchronised = GradMode.isEnabled && !syncDisabled
        if synchronised, broadcastBuffers {
            try withNoGrad { for buffer in buffers { try processGroup.broadcast(buffer, from: 0) } }
        }
        reducer.expectsBackward = synchronised
        return try body(module)
    }

    /// Runs `body` with gradient averaging off (PyTorch's `no_sync()`): the backward passes
    /// of forward passes made inside it add to the local `.grad` only; the first
    /// synchronised backward after it averages the accumulated gradients.
    public func noSync<Result>(_ body: () throws -> Result) rethrows -> Result {
        let outer = syncDisabled
        syncDisabled = true
        defer { syncDisabled = outer }
        return try body()
    }

    /// The number of gradient buckets and the parameters (indices into the trained
    /// parameters) in each, in the order they are all-reduced.
    public var bucketLayout: [[Int]] { reducer.buckets.map(\.members) }
}

extension DistributedDataParallel: UnaryLayer where Wrapped: UnaryLayer {
    /// The forward pass of the wrapped model, under DDP's rules (see ``forward(_:)``).
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward { try $0(x) } }
}
