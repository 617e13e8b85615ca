import Synchronization

/// One-element host storages for the Swift numbers programs use as operands (`x * 0.9`,
/// `x + 1`), kept so that a scalar operand costs a view, not a fresh storage, on every call.
///
/// Only read-only operands use it (the elementwise rule's inputs, never an in-place
/// operator's `self`), so sharing a storage between calls and threads is safe. The cache is
/// a handful of entries, replaced round-robin: loops use few distinct constants.
enum NumberStorageCache {
    private struct Entry {
        let dtype: DType
        let bits: UInt64
        let storage: Storage
    }
    private static let capacity = 16
    private static let state = Mutex<(entries: [Entry], next: Int)>(([], 0))

    /// The storage holding `value` converted to `dtype` by `_to_copy`'s rules.
    static func storage(for value: ArgumentValue, as dtype: DType) -> Storage {
        let bits: UInt64
        switch value {
        case .double(let v): bits = v.bitPattern
        case .int(let v): bits = UInt64(bitPattern: Int64(v)) ^ 0x5555_5555_5555_5555  // apart from equal doubles
        case .bool(let v): bits = v ? 0xB001 : 0xB000
        default: preconditionFailure("internal: \(value.typeName) is not a number")
        }
        if let hit = state.withLock({ s in s.entries.first { $0.dtype == dtype && $0.bits == bits }?.storage }) { return hit }
        let storage = Storage.scalarOnCPU(dtype)
        Tensor.store(value, as: dtype, at: storage.data)
        state.withLock { s in
            let entry = Entry(dtype: dtype, bits: bits, storage: storage)
            if s.entries.count < capacity { s.entries.append(entry) } else { s.entries[s.next] = entry }
            s.next = (s.next + 1) % capacity
        }
        return storage
    }
}
