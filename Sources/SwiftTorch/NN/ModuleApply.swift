extension Module {
    /// Calls `body` on every submodule, then on this module, as PyTorch's `module.apply(fn)`:
    /// children first (depth first, in ``children()`` order), so a model's layers can be
    /// initialised by type in one call. Returns the module, for chaining.
    ///
    /// <!-- snippet: module-apply -->
    /// ```swift
    /// try model.apply { m in
    ///     if let linear = m as? Linear { try Init.xavierUniform(linear.weight) }
    /// }
    /// ```
    @discardableResult
    public func apply(_ body: (Module) throws -> Void) rethrows -> Self {
        for (_, child) in children() { try child.apply(body) }
        try body(self)
        return self
    }
}
