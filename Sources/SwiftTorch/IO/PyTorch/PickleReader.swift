import Foundation
import SwiftTorchCore

/// A list or dictionary while the pickle is read: a class, because the memo and the stack
/// hold the same object and `APPENDS`/`SETITEMS` fill it after it was memoized.
final class PickleList {
    var items: [PickleObject] = []
}

/// A `dict` or `OrderedDict` while the pickle is read (see ``PickleList``).
final class PickleDict {
    var entries: [(key: PickleObject, value: PickleObject)] = []
}

/// A tuple while the pickle is read: a class too, so that a tuple shared through the memo
/// is one object however often it appears, and can be taken apart once (see `dismantle`).
final class PickleTuple {
    var items: [PickleObject]
    init(_ items: [PickleObject]) { self.items = items }
}

/// One value on the unpickler's stack.
enum PickleObject {
    case none, bool(Bool), int(Int), double(Double), string(String)
    case list(PickleList), tuple(PickleTuple), dict(PickleDict)
    case tensor(Tensor)
    case global(PickleGlobal)
    case storage(Storage, DType)

    /// The kind of value, for messages.
    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .tensor: "tensor"
        case .global: "class or function"
        case .storage: "storage"
        }
    }
}

/// A safe unpickler for the `data.pkl` inside a `.pt` file, on the principle of
/// `torch.load(weights_only=True)`: it interprets only the opcodes in ``PickleOpcode`` and
/// calls only the globals in ``PickleGlobal``, so nothing in a file can run code. Storages
/// come from `loadStorage` (the archive's `data/<key>` records), and one key gives one
/// ``Storage``, so tensors that shared a storage when saved share it again.
///
/// Every size and index is checked against the bytes present, and the value built at the
/// end is bounded in depth and in size (a few shared lists can otherwise stand for
/// exponentially many values), so a hostile file throws instead of exhausting the stack or
/// the memory.
struct PickleReader {
    /// The deepest nesting of lists and dictionaries read (Python's own limit is about 1000).
    static let maximumDepth = 200

    let bytes: [UInt8]
    let file: String
    /// Returns the storage of `dtype` named `key` in the archive, holding `count` elements.
    let loadStorage: (_ key: String, _ dtype: DType, _ count: Int) throws -> Storage

    private var position = 0
    private var stack: [PickleObject] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleObject] = [:]

    init(bytes: [UInt8], file: String, loadStorage: @escaping (String, DType, Int) throws -> Storage) {
        self.bytes = bytes
        self.file = file
        self.loadStorage = loadStorage
    }

    /// Runs the pickle to its `STOP` and returns the value it built.
    mutating func read() throws -> PyTorchValue {
        defer { dismantle() }
        while true {
            let at = position
            let code = try byte()
            guard let opcode = PickleOpcode(rawValue: code) else {
                throw fail(at, "opcode 0x\(String(code, radix: 16)) is not one SwiftTorch reads (it reads \(PickleOpcode.allCases.map(\.pythonName).joined(separator: ", ")))")
            }
            if opcode == .stop {
                guard stack.count == 1, marks.isEmpty else {
                    throw fail(at, "STOP with \(stack.count) values on the stack and \(marks.count) open marks; a pickle ends with exactly one value")
                }
                var budget = 1_000_000 + 8 * bytes.count
                return try PickleReader.convert(stack[0], depth: 0, budget: &budget, fail: { fail(at, $0) })
            }
            try run(opcode, at: at)
        }
    }

    private mutating func run(_ opcode: PickleOpcode, at: Int) throws {
        switch opcode {
        case .proto:
            let version = try byte()
            guard version <= 5 else { throw fail(at, "pickle protocol \(version) is newer than any Python writes (5)") }
        case .frame: _ = try integer(8)  // Only a read-ahead hint.
        case .mark: marks.append(stack.count)
        case .stop: break
        case .emptyTuple: stack.append(.tuple(PickleTuple([])))
        case .emptyList: stack.append(.list(PickleList()))
        case .emptyDict: stack.append(.dict(PickleDict()))
        case .tuple: stack.append(.tuple(PickleTuple(try popToMark(at))))
        case .tuple1, .tuple2, .tuple3:
            let n = Int(opcode.rawValue - PickleOpcode.tuple1.rawValue) + 1
            stack.append(.tuple(PickleTuple(try pop(n, at))))
        case .list:
            let list = PickleList()
            list.items = try popToMark(at)
            stack.append(.list(list))
        case .dict:
            let dict = PickleDict()
            try fill(dict, with: popToMark(at), at)
            stack.append(.dict(dict))
        case .append:
            let item = try pop(1, at)[0]
            try list(on: at).items.append(item)
        case .appends:
            let items = try popToMark(at)
            try list(on: at).items += items
        case .setItem: try fill(dict(below: 2, at), with: pop(2, at), at)
        case .setItems:
            let pairs = try popToMark(at)
            try fill(dict(below: 0, at), with: pairs, at)
        case .binPut: try put(Int(byte()), at)
        case .longBinPut: try put(integer(4), at)
        case .memoize: try put(memo.count, at)
        case .binGet: try get(Int(byte()), at)
        case .longBinGet: try get(integer(4), at)
        case .binInt: stack.append(.int(Int(Int32(truncatingIfNeeded: try integer(4)))))
        case .binInt1: stack.append(.int(Int(try byte())))
        case .binInt2: stack.append(.int(try integer(2)))
        case .long1: stack.append(.int(try long(count: Int(byte()), at)))
        case .binFloat:
            // Big-endian, unlike everything else in a pickle.
            let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            stack.append(.double(Double(bitPattern: raw)))
        case .binUnicode: stack.append(.string(try text(count: integer(4), at)))
        case .shortBinUnicode: stack.append(.string(try text(count: Int(byte()), at)))
        case .binUnicode8:
            let count = try integer(8)
            stack.append(.string(try text(count: count, at)))
        case .none: stack.append(.none)
        case .newTrue: stack.append(.bool(true))
        case .newFalse: stack.append(.bool(false))
        case .global:
            let module = try line(at), name = try line(at)
            stack.append(.global(try PickleGlobal(module: module, name: name, file: file)))
        case .stackGlobal:
            let parts = try pop(2, at)
            guard case .string(let module) = parts[0], case .string(let name) = parts[1] else {
                throw fail(at, "STACK_GLOBAL needs two strings, got \(parts[0].kindName) and \(parts[1].kindName)")
            }
            stack.append(.global(try PickleGlobal(module: module, name: name, file: file)))
        case .reduce:
            let parts = try pop(2, at)
            guard case .global(let callable) = parts[0], case .tuple(let arguments) = parts[1] else {
                throw fail(at, "REDUCE calls a class or function with a tuple of arguments, got \(parts[0].kindName) with \(parts[1].kindName)")
            }
            stack.append(try call(callable, arguments.items, at))
        case .build:
            let parts = try pop(2, at)
            // OrderedDict.__reduce__ sets attributes (a state dict's `_metadata`) through BUILD;
            // SwiftTorch keeps no attributes, so they are read and dropped.
            guard case .dict = parts[0], case .dict = parts[1] else {
                throw fail(at, "BUILD sets the attributes of a dict from a dict, got \(parts[0].kindName) from \(parts[1].kindName)")
            }
            stack.append(parts[0])
        case .binPersID:
            stack.append(try persistentLoad(pop(1, at)[0], at))
        }
    }

    /// Empties every list, dict and tuple reachable from the stack and the memo, one level at
    /// a time. Left to Swift, releasing 100,000 nested lists recurses 100,000 deep and
    /// overflows the stack, and a list that holds itself would never be freed.
    private mutating func dismantle() {
        var pending = stack + Array(memo.values)
        (stack, memo) = ([], [:])
        var seen = Set<ObjectIdentifier>()
        while let object = pending.popLast() {
            switch object {
            case .list(let list) where seen.insert(ObjectIdentifier(list)).inserted:
                pending += list.items
                list.items = []
            case .dict(let dict) where seen.insert(ObjectIdentifier(dict)).inserted:
                pending += dict.entries.flatMap { [$0.key, $0.value] }
                dict.entries = []
            case .tuple(let tuple) where seen.insert(ObjectIdentifier(tuple)).inserted:
                pending += tuple.items
                tuple.items = []
            default: continue
            }
        }
    }

    // MARK: Calls to the allowed globals

    private func call(_ callable: PickleGlobal, _ arguments: [PickleObject], _ at: Int) throws -> PickleObject {
        switch callable {
        case .orderedDict:
            guard arguments.isEmpty else {
                throw fail(at, "OrderedDict is called with no arguments in files torch.save writes, got \(arguments.count)")
            }
            return .dict(PickleDict())
        case .rebuildTensorV2:
            guard arguments.count == 6 || arguments.count == 7,
                  case .storage(let storage, let dtype) = arguments[0], case .int(let offset) = arguments[1],
                  case .tuple(let sizeTuple) = arguments[2], case .tuple(let strideTuple) = arguments[3],
                  case .bool(let requiresGrad) = arguments[4] else {
                throw fail(at, "_rebuild_tensor_v2 takes (storage, offset, size, stride, requires_grad, hooks[, metadata]), got (\(arguments.map(\.kindName).joined(separator: ", ")))")
            }
            let shape = try ints(sizeTuple.items, "size", at), strides = try ints(strideTuple.items, "stride", at)
            guard shape.count == strides.count else {
                throw fail(at, "a tensor with \(shape.count) sizes \(describe(shape: shape)) and \(strides.count) strides \(describe(shape: strides))")
            }
            do {
                let tensor = try Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
                tensor.requiresGrad = requiresGrad && dtype.isFloatingPoint
                return .tensor(tensor)
            } catch let error as TorchError {
                throw fail(at, "a \(dtype) tensor of shape \(describe(shape: shape)), strides \(describe(shape: strides)) and offset \(offset) does not fit its storage of \(storage.byteCount / dtype.itemSize) elements (\(error.message))")
            }
        case .rebuildParameter:
            guard arguments.count == 3, case .tensor(let data) = arguments[0], case .bool(let requiresGrad) = arguments[1] else {
                throw fail(at, "_rebuild_parameter takes (tensor, requires_grad, hooks), got (\(arguments.map(\.kindName).joined(separator: ", ")))")
            }
            data.requiresGrad = requiresGrad && data.dtype.isFloatingPoint
            return .tensor(data)
        case .storageType:
            throw fail(at, "a storage class is only named in a storage's persistent id, never called")
        }
    }

    /// A storage's persistent id, `('storage', torch.FloatStorage, key, location, numel)`.
    /// The location (`cpu`, `cuda:0`) is not used: every storage loads onto the CPU.
    private func persistentLoad(_ id: PickleObject, _ at: Int) throws -> PickleObject {
        guard case .tuple(let id) = id, case let parts = id.items, parts.count == 5, case .string("storage") = parts[0],
              case .global(.storageType(let dtype)) = parts[1], case .string(let key) = parts[2],
              case .string = parts[3], case .int(let count) = parts[4] else {
            throw fail(at, "a persistent id must be ('storage', storage class, key, location, element count)")
        }
        guard count >= 0 else { throw fail(at, "storage '\(key)' claims \(count) elements") }
        return .storage(try loadStorage(key, dtype, count), dtype)
    }

    private func ints(_ items: [PickleObject], _ what: String, _ at: Int) throws -> [Int] {
        try items.map {
            guard case .int(let i) = $0 else { throw fail(at, "a tensor's \(what) holds a \($0.kindName), not an int") }
            return i
        }
    }

    // MARK: The stack, the marks and the memo

    private mutating func pop(_ n: Int, _ at: Int) throws -> [PickleObject] {
        guard stack.count - n >= (marks.last ?? 0) else {
            throw fail(at, "needs \(n) values on the stack and there are \(stack.count - (marks.last ?? 0))")
        }
        defer { stack.removeLast(n) }
        return Array(stack.suffix(n))
    }

    private mutating func popToMark(_ at: Int) throws -> [PickleObject] {
        guard let mark = marks.popLast() else { throw fail(at, "no MARK to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    /// The list just below the values popped: the target of APPEND(S).
    private func list(on at: Int) throws -> PickleList {
        guard let top = stack.last, stack.count > (marks.last ?? 0), case .list(let list) = top else {
            throw fail(at, "APPEND needs a list below its items, got \(stack.last?.kindName ?? "nothing")")
        }
        return list
    }

    /// The dictionary below `depth` values: the target of SETITEM(S).
    private func dict(below depth: Int, _ at: Int) throws -> PickleDict {
        let index = stack.count - depth - 1
        guard index >= (marks.last ?? 0), index < stack.count, case .dict(let dict) = stack[index] else {
            throw fail(at, "SETITEM needs a dict below its items, got \(index >= 0 && index < stack.count ? stack[index].kindName : "nothing")")
        }
        return dict
    }

    private func fill(_ dict: PickleDict, with items: [PickleObject], _ at: Int) throws {
        guard items.count.isMultiple(of: 2) else { throw fail(at, "a dict's items come in key-value pairs, got \(items.count) values") }
        for i in stride(from: 0, to: items.count, by: 2) { dict.entries.append((items[i], items[i + 1])) }
    }

    private mutating func put(_ index: Int, _ at: Int) throws {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw fail(at, "nothing on the stack to memoize") }
        memo[index] = top
    }

    private mutating func get(_ index: Int, _ at: Int) throws {
        guard let value = memo[index] else { throw fail(at, "memo entry \(index) was never stored") }
        stack.append(value)
    }

    // MARK: Bytes

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw fail(position, "the pickle ends without STOP") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw fail(position, "needs \(count) more bytes and \(bytes.count - position) are left")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// An unsigned little-endian integer of `count` bytes (at most 8; lengths past Int.max fail as too long).
    private mutating func integer(_ count: Int) throws -> Int {
        let value = try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard value <= UInt64(Int.max) else { throw fail(position - count, "a length of \(value) bytes") }
        return Int(value)
    }

    /// LONG1: a two's-complement little-endian integer of `count` bytes. Python writes the
    /// fewest bytes that hold the value, so more than 8 is outside 64 bits and refused.
    private mutating func long(count: Int, _ at: Int) throws -> Int {
        guard count <= 8 else { throw fail(at, "an integer of \(count) bytes does not fit in 64 bits") }
        let raw = try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard count > 0 else { return 0 }
        let shift = UInt64(64 - 8 * count)
        return Int(truncatingIfNeeded: raw << shift) >> shift  // Sign-extends.
    }

    private mutating func text(count: Int, _ at: Int) throws -> String {
        let raw = try take(count)
        guard let string = String(validating: raw, as: UTF8.self) else { throw fail(at, "a string that is not UTF-8") }
        return string
    }

    /// GLOBAL's module or name: text up to a newline, at most 256 bytes.
    private mutating func line(_ at: Int) throws -> String {
        let end = bytes[position...].prefix(257).firstIndex(of: 0x0A)
        guard let end else { throw fail(at, "GLOBAL's names must end with a newline within 256 bytes") }
        let text = try self.text(count: end - position, at)
        position += 1
        return text
    }

    private func fail(_ at: Int, _ problem: String) -> TorchError {
        TorchError(.io, "PyTorch file \(file): data.pkl byte \(at): \(problem)")
    }

    // MARK: The value built

    /// `object` as a ``PyTorchValue``. `budget` counts the values made: shared lists are
    /// copied each time they appear, so this is what bounds a memo bomb.
    private static func convert(_ object: PickleObject, depth: Int, budget: inout Int,
                                fail: (String) -> TorchError) throws -> PyTorchValue {
        budget -= 1
        guard budget >= 0 else {
            throw fail("the value would hold more than \(1_000_000) items beyond the file's own size (shared lists repeated over and over?)")
        }
        guard depth <= maximumDepth else {
            throw fail("lists and dicts nested deeper than \(maximumDepth) levels (or one that contains itself)")
        }
        switch object {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .tensor(let t): return .tensor(t)
        case .list(let list):
            return .list(try list.items.map { try convert($0, depth: depth + 1, budget: &budget, fail: fail) })
        case .tuple(let tuple):
            return .list(try tuple.items.map { try convert($0, depth: depth + 1, budget: &budget, fail: fail) })
        case .dict(let dict):
            var out = PyTorchDict()
            for (key, value) in dict.entries {
                let k: PyTorchKey
                switch key {
                case .string(let s): k = .string(s)
                case .int(let i): k = .int(i)
                default: throw fail("a dict key of type \(key.kindName); SwiftTorch reads str and int keys")
                }
                out[k] = try convert(value, depth: depth + 1, budget: &budget, fail: fail)
            }
            return .dict(out)
        case .global, .storage:
            throw fail("a bare \(object.kindName) is not a value a .pt file can hold")
        }
    }
}
