import SwiftTorchCore

/// The pickle opcodes that `torch.save` writes (protocol 2) and that the safe reader
/// accepts, by Python's names (`pickletools` lists them all). Any other opcode in a file is
/// refused by name and value, never interpreted.
enum PickleOpcode: UInt8, CaseIterable {
    case mark = 0x28            // (
    case stop = 0x2E            // .
    case emptyTuple = 0x29      // )
    case emptyList = 0x5D       // ]
    case emptyDict = 0x7D       // }
    case tuple = 0x74           // t
    case list = 0x6C            // l
    case dict = 0x64            // d
    case append = 0x61          // a
    case appends = 0x65         // e
    case setItem = 0x73         // s
    case setItems = 0x75        // u
    case binPut = 0x71          // q
    case longBinPut = 0x72      // r
    case binGet = 0x68          // h
    case longBinGet = 0x6A      // j
    case binInt = 0x4A          // J
    case binInt1 = 0x4B         // K
    case binInt2 = 0x4D         // M
    case binFloat = 0x47        // G
    case binUnicode = 0x58      // X
    case none = 0x4E            // N
    case global = 0x63          // c
    case reduce = 0x52          // R
    case build = 0x62           // b
    case binPersID = 0x51       // Q
    // Protocol 2.
    case proto = 0x80
    case tuple1 = 0x85
    case tuple2 = 0x86
    case tuple3 = 0x87
    case newTrue = 0x88
    case newFalse = 0x89
    case long1 = 0x8A
    // Protocol 4, which Python's own pickler writes: accepted so such files read too.
    case shortBinUnicode = 0x8C
    case binUnicode8 = 0x8D
    case stackGlobal = 0x93
    case memoize = 0x94
    case frame = 0x95

    /// Python's name for the opcode, for messages.
    var pythonName: String {
        switch self {
        case .mark: "MARK"
        case .stop: "STOP"
        case .emptyTuple: "EMPTY_TUPLE"
        case .emptyList: "EMPTY_LIST"
        case .emptyDict: "EMPTY_DICT"
        case .tuple: "TUPLE"
        case .list: "LIST"
        case .dict: "DICT"
        case .append: "APPEND"
        case .appends: "APPENDS"
        case .setItem: "SETITEM"
        case .setItems: "SETITEMS"
        case .binPut: "BINPUT"
        case .longBinPut: "LONG_BINPUT"
        case .binGet: "BINGET"
        case .longBinGet: "LONG_BINGET"
        case .binInt: "BININT"
        case .binInt1: "BININT1"
        case .binInt2: "BININT2"
        case .binFloat: "BINFLOAT"
        case .binUnicode: "BINUNICODE"
        case .none: "NONE"
        case .global: "GLOBAL"
        case .reduce: "REDUCE"
        case .build: "BUILD"
        case .binPersID: "BINPERSID"
        case .proto: "PROTO"
        case .tuple1: "TUPLE1"
        case .tuple2: "TUPLE2"
        case .tuple3: "TUPLE3"
        case .newTrue: "NEWTRUE"
        case .newFalse: "NEWFALSE"
        case .long1: "LONG1"
        case .shortBinUnicode: "SHORT_BINUNICODE"
        case .binUnicode8: "BINUNICODE8"
        case .stackGlobal: "STACK_GLOBAL"
        case .memoize: "MEMOIZE"
        case .frame: "FRAME"
        }
    }
}

/// The Python globals a `.pt` file may name, as `torch.load(weights_only=True)` allows them:
/// the containers and the tensor rebuilders. Everything else is refused by name.
enum PickleGlobal: Equatable {
    /// `collections.OrderedDict`: called with no arguments, then filled.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensorV2
    /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`: an `nn.Parameter` saved by itself.
    case rebuildParameter
    /// `torch.FloatStorage` and its kin: only ever the type in a storage's persistent id.
    case storageType(DType)

    /// The typed storages SwiftTorch reads, by their class name in module `torch`.
    static let storageTypes: [String: DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "LongStorage": .int64, "IntStorage": .int32, "BoolStorage": .bool,
    ]

    /// Storages PyTorch writes whose dtype SwiftTorch lacks, with the dtype's PyTorch name.
    static let unsupportedStorageTypes: [String: String] = [
        "HalfStorage": "float16", "BFloat16Storage": "bfloat16", "ByteStorage": "uint8", "CharStorage": "int8",
        "ShortStorage": "int16", "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
    ]

    /// The global `module.name`, or a ``TorchError`` that names it and says why it is refused.
    init(module: String, name: String, file: String) throws {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _) where Self.storageTypes[name] != nil: self = .storageType(Self.storageTypes[name]!)
        case ("torch", _) where Self.unsupportedStorageTypes[name] != nil:
            let dtype = Self.unsupportedStorageTypes[name]!
            throw TorchError(.notImplemented, "PyTorch file \(file): it holds \(dtype) tensors (torch.\(name)); SwiftTorch has no \(dtype) dtype (it has \(DType.allCases.map(\.rawValue).joined(separator: ", "))): convert them in PyTorch first, for example with tensor.float()")
        default:
            throw TorchError(.io, "PyTorch file \(file): refused global '\(module).\(name)': a .pt file may only use dicts, OrderedDicts, lists, tuples, numbers, strings and tensors over typed storages, as torch.load(weights_only=True) allows; nothing in the file is run")
        }
    }
}
