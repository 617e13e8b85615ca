/// A sequence whose iteration moves a ``ProgressBar``, as `tqdm(iterable)`: each element
/// requested after the first counts the one before as done, and the end closes the bar.
/// Made by ``progress(_:total:description:output:force:)->ProgressSequence<S>``.
///
/// <!-- snippet: progress-sequence -->
/// ```swift
/// let batches = progress(samples, description: "epoch \(epoch)")   // samples: [(x, y)]
/// for (x, y) in batches {
///     optimizer.zeroGrad()
///     let loss = try lossFunction(model(x), y)
///     try loss.backward()
///     try optimizer.step()
///     batches.bar.recordLoss(try loss.item())
/// }
/// ```
public struct ProgressSequence<Base: Sequence>: Sequence {
    /// The wrapped sequence.
    public let base: Base
    /// The bar the iteration moves; set its postfix or record losses on it.
    public let bar: ProgressBar

    /// A new pass over `base`, counted on ``bar``.
    public func makeIterator() -> Iterator { Iterator(base: base.makeIterator(), bar: bar) }

    /// One pass over the wrapped sequence.
    public struct Iterator: IteratorProtocol {
        var base: Base.Iterator
        let bar: ProgressBar
        var started = false

        /// The next element; the one before it counts as done.
        public mutating func next() -> Base.Element? {
            if started { bar.update() }
            started = true
            guard let element = base.next() else {
                bar.close()
                return nil
            }
            return element
        }
    }
}

/// A wrapped plain sequence can also be looped over with `for try await`, so the same loop
/// reads alike over a synchronous and an asynchronous `DataLoader`.
extension ProgressSequence: AsyncSequence {
    /// The plain iterator: its `next()` never suspends.
    public typealias AsyncIterator = Iterator
    /// A plain sequence does not throw.
    public typealias Failure = Never

    /// A new pass over `base`, counted on ``bar``.
    public func makeAsyncIterator() -> Iterator { makeIterator() }
}

extension ProgressSequence.Iterator: AsyncIteratorProtocol {}

/// An asynchronous sequence (the `DataLoader`'s `for try await`) whose iteration moves a
/// ``ProgressBar``, as ``ProgressSequence`` does for a plain sequence; an error thrown by the
/// wrapped sequence closes the bar and reaches the loop unchanged.
public struct AsyncProgressSequence<Base: AsyncSequence>: AsyncSequence {
    /// The wrapped sequence's elements.
    public typealias Element = Base.Element
    /// The wrapped sequence's errors, passed through unchanged.
    public typealias Failure = Base.Failure

    /// The wrapped sequence.
    public let base: Base
    /// The bar the iteration moves.
    public let bar: ProgressBar

    /// A new pass over `base`, counted on ``bar``.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), bar: bar) }

    /// One pass over the wrapped sequence.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let bar: ProgressBar
        var started = false

        /// The next element, in the caller's isolation; the one before it counts as done.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(Base.Failure) -> Base.Element? {
            if started { bar.update() }
            started = true
            do throws(Base.Failure) {
                guard let element = try await base.next(isolation: actor) else {
                    bar.close()
                    return nil
                }
                return element
            } catch {
                bar.close()
                throw error
            }
        }

        /// The next element.
        public mutating func next() async throws(Base.Failure) -> Base.Element? { try await next(isolation: nil) }
    }
}

/// Sequences that know their length before iterating (PyTorch's `len(loader)`), so a
/// progress bar over them has a total without being told.
protocol KnownLength {
    var count: Int { get }
}

extension DataLoader: KnownLength {}

/// `base` with a progress bar, as `tqdm(base, desc=...)`: `for x in progress(items) { ... }`.
/// The total is `total`, else the sequence's known length (a `DataLoader`'s batch count, an
/// array's count), else unknown. The bar goes to standard error when it is a terminal, or
/// to `output`; `force` draws it even when the output is not a terminal.
public func progress<S: Sequence>(_ base: S, total: Int? = nil, description: String = "",
                                  output: ProgressOutput = .standardError, force: Bool = false) -> ProgressSequence<S> {
    let known = (base as? any KnownLength)?.count ?? (base.underestimatedCount > 0 ? base.underestimatedCount : nil)
    return ProgressSequence(base: base, bar: ProgressBar(total: total ?? known, description: description, output: output, force: force))
}

/// `base` with a progress bar: `for try await (x, y) in progress(loader) { ... }`. The total is
/// `total`, else the sequence's known length (a `DataLoader`'s batch count), else unknown.
public func progress<S: AsyncSequence>(_ base: S, total: Int? = nil, description: String = "",
                                       output: ProgressOutput = .standardError, force: Bool = false) -> AsyncProgressSequence<S> {
    let known = (base as? any KnownLength)?.count
    return AsyncProgressSequence(base: base, bar: ProgressBar(total: total ?? known, description: description, output: output, force: force))
}
