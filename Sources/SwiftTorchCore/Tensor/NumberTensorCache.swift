import Synchronization

/// Wrapped-number tensors for the Swift numbers programs use as operands (`x * 0.9`,
/// `x + 1`), each a one-element host storage seen through stride 0 with the operation's
/// shape, kept so that a scalar operand costs neither a storage nor a tensor object on
/// every call.
///
/// Only read-only operands use it (the elementwise rule's inputs, never an in-place
/// operator's `self`), so sharing them between calls and threads is safe: nothing writes
/// their element, and nothing sets their autograd fields (a wrapped number never requires
/// grad, and autograd saves aliases, not the operands themselves). The cache is a handful of
/// entries, replaced round-robin: loops use few distinct constants and shapes.
enum NumberTensorCache {
    // Safe to share across threads for the reason above: no one mutates these tensors.
    private struct Entry: @unchecked Sendable {
        let dtype: DType
        let bits: UInt64
        let tensor: Tensor
    }
    private static let capacity = 16
    private static let state = Mutex<(entries: [Entry], next: Int)>(([], 0))

    /// A wrapped-number tensor holding `value` converted to `dtype` by `_to_copy`'s rules,
    /// with `shape` and all-zero strides.
    static func tensor(for value: ArgumentValue, as dtype: DType, shape: [Int]) -> Tensor {
        let bits: UInt64
        switch value {
        case .double(let v): bits = v.bitPattern
        case .int(let v): bits = UInt64(bitPattern: Int64(v)) ^ 0x5555_5555_5555_5555  // apart from equal doubles
        case .bool(let v): bits = v ? 0xB001 : 0xB000
        default: preconditionFailure("internal: \(value.typeName) is not a number")
        }
        // A hit on the number alone lends its storage to a view of another shape.
        let (hit, storage) = state.withLock { s -> (Entry?, Storage?) in
            var storage: Storage?
            for entry in s.entries where entry.dtype == dtype && entry.bits == bits {
                if entry.tensor.shape == shape { return (entry, nil) }
                storage = entry.tensor.storage
            }
            return (nil, storage)
        }
        if let hit { return hit.tensor }
        let entry = Entry(dtype: dtype, bits: bits,
                          tensor: Tensor(uncheckedStorage: storage ?? numberStorage(value, dtype), shape: shape,
                                         strides: zeroStrides(rank: shape.count), offset: 0, dtype: dtype, isWrappedNumber: true))
        state.withLock { s in
            if s.entries.count < capacity { s.entries.append(entry) } else { s.entries[s.next] = entry }
            s.next = (s.next + 1) % capacity
        }
        return entry.tensor
    }

    private static func numberStorage(_ value: ArgumentValue, _ dtype: DType) -> Storage {
        let storage = Storage.scalarOnCPU(dtype)
        Tensor.store(value, as: dtype, at: storage.data)
        return storage
    }
}
