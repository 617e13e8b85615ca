import SwiftTorchCore

/// Writes a ``PyTorchValue`` as the pickle (protocol 2) that `torch.save` writes, using only
/// what `torch.load(weights_only=True)` accepts. Tensors become
/// `torch._utils._rebuild_tensor_v2` calls over storages named by persistent ids; a storage
/// shared by several CPU tensors is written once, so they load as views of one storage, as
/// in PyTorch. The storages to write are collected in ``storages``.
struct PickleWriter {
    private(set) var bytes: [UInt8] = [PickleOpcode.proto.rawValue, 2]
    /// Each storage to write as record `data/<index>`: its tensor's dtype and bytes.
    private(set) var storages: [(dtype: DType, storage: Storage)] = []
    private var storageKeys: [StorageKey: Int] = [:]

    private struct StorageKey: Hashable {
        let storage: ObjectIdentifier
        let dtype: DType
    }

    /// Appends `value` and the `STOP` that ends the pickle.
    mutating func finish(_ value: PyTorchValue) throws {
        try write(value)
        emit(.stop)
    }

    private mutating func write(_ value: PyTorchValue) throws {
        switch value {
        case .none: emit(.none)
        case .bool(let b): emit(b ? .newTrue : .newFalse)
        case .int(let i): write(i)
        case .double(let d):
            emit(.binFloat)
            bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64($0))) }
        case .string(let s): write(s)
        case .list(let items):
            emit(.emptyList)
            // In batches, as Python does, so a reader's stack stays short.
            for start in stride(from: 0, to: items.count, by: 1000) {
                emit(.mark)
                for item in items[start..<min(start + 1000, items.count)] { try write(item) }
                emit(.appends)
            }
        case .dict(let dict):
            emit(.emptyDict)
            for start in stride(from: 0, to: dict.count, by: 1000) {
                emit(.mark)
                for (key, item) in dict.entries[start..<min(start + 1000, dict.count)] {
                    switch key {
                    case .string(let s): write(s)
                    case .int(let i): write(i)
                    }
                    try write(item)
                }
                emit(.setItems)
            }
        case .tensor(let t): try write(t)
        }
    }

    private mutating func write(_ tensor: Tensor) throws {
        // A CPU tensor keeps its storage and geometry; anything else is saved as a contiguous CPU copy.
        let source = tensor.device.isCPU && tensor.storage.byteCount.isMultiple(of: tensor.dtype.itemSize)
            ? tensor : try tensor.detach().cpu().contiguous()
        let key = StorageKey(storage: ObjectIdentifier(source.storage), dtype: source.dtype)
        let index = storageKeys[key] ?? storages.count
        if index == storages.count {
            storageKeys[key] = index
            storages.append((source.dtype, source.storage))
        }
        global("torch._utils", "_rebuild_tensor_v2")
        emit(.mark)
        // The persistent id: ('storage', torch.FloatStorage, key, location, element count).
        emit(.mark)
        write("storage")
        global("torch", Self.storageClass(source.dtype))
        write(String(index))
        write("cpu")
        write(source.storage.byteCount / source.dtype.itemSize)
        emit(.tuple)
        emit(.binPersID)
        write(source.offset)
        writeTuple(source.shape)
        writeTuple(source.strides)
        emit(tensor.requiresGrad ? .newTrue : .newFalse)
        // backward_hooks: always an empty OrderedDict in a saved tensor.
        global("collections", "OrderedDict")
        emit(.emptyTuple)
        emit(.reduce)
        emit(.tuple)
        emit(.reduce)
    }

    /// PyTorch's typed storage class for `dtype`, which names the dtype in the file.
    static func storageClass(_ dtype: DType) -> String {
        PickleGlobal.storageTypes.first { $0.value == dtype }!.key
    }

    private mutating func writeTuple(_ values: [Int]) {
        emit(.mark)
        for v in values { write(v) }
        emit(.tuple)
    }

    private mutating func write(_ i: Int) {
        switch i {
        case 0...0xFF:
            emit(.binInt1)
            bytes.append(UInt8(i))
        case 0...0xFFFF:
            emit(.binInt2)
            bytes += littleEndian(i, count: 2)
        case Int(Int32.min)...Int(Int32.max):
            emit(.binInt)
            bytes += littleEndian(i, count: 4)
        default:
            // Eight bytes of two's complement hold any Int.
            emit(.long1)
            bytes.append(8)
            bytes += littleEndian(i, count: 8)
        }
    }

    private mutating func write(_ s: String) {
        emit(.binUnicode)
        let utf8 = Array(s.utf8)
        bytes += littleEndian(utf8.count, count: 4)
        bytes += utf8
    }

    private mutating func global(_ module: String, _ name: String) {
        emit(.global)
        bytes += Array("\(module)\n\(name)\n".utf8)
    }

    private mutating func emit(_ opcode: PickleOpcode) { bytes.append(opcode.rawValue) }

    private func littleEndian(_ value: Int, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
