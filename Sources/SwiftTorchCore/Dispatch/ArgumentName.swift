import Synchronization

/// An argument name that remembers its slot, for code that reads an argument on every
/// call (the elementwise meta rule, the binary kernels). Looking a name up compares it
/// with each declared name in turn; an `ArgumentName` kept by such code resolves the name
/// once and afterwards costs one atomic load and a compare.
///
/// It remembers one schema at a time, so keep one per operator (a kernel factory's
/// closure, say) rather than one shared by many: a shared one still answers correctly,
/// only no faster than a plain name.
public final class ArgumentName: Sendable, CustomStringConvertible {
    /// The argument's name in the schema.
    public let name: String
    /// `schema.id << 16 | slot` for the schema last asked, or -1 before the first lookup.
    private let memo = Atomic<Int>(-1)

    /// A name that will remember its slot once looked up.
    public init(_ name: String) { self.name = name }

    /// The name.
    public var description: String { name }

    /// The slot of this argument in `schema`, or nil when `schema` has no such argument.
    @inline(__always)
    public func slot(in schema: OperatorSchema) -> Int? {
        let memo = self.memo.load(ordering: .relaxed)
        if memo >= 0, memo >> 16 == schema.id { return memo & 0xFFFF }
        guard let slot = schema.slot(of: name) else { return nil }
        // A schema has far fewer than 65,536 arguments; ids grow one per declared operator.
        self.memo.store(schema.id << 16 | slot, ordering: .relaxed)
        return slot
    }
}
