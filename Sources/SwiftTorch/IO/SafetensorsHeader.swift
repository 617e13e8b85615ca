import Foundation
import SwiftTorchCore

// The safetensors layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, "__metadata__":
// {string: string}}), then the data section, whose byte ranges the offsets index. The reader
// validates everything here before it touches a tensor byte, so a bad file is an error and
// never an out-of-bounds read.

extension DType {
    /// The dtype's name in a safetensors header (`F32`, `I64`, `BOOL`, ...).
    public var safetensorsName: String {
        switch self {
        case .bool: "BOOL"
        case .int32: "I32"
        case .int64: "I64"
        case .float32: "F32"
        case .float64: "F64"
        }
    }

    /// The dtype a safetensors header names, or nil for one SwiftTorch lacks (`F16`, `U8`, ...).
    public init?(safetensorsName name: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }
}

/// One tensor's entry in a safetensors header, checked against the data section.
struct SafetensorsEntry {
    let name: String
    let dtype: DType
    let shape: [Int]
    /// Byte range within the data section.
    let range: Range<Int>
}

/// A parsed and validated safetensors header.
struct SafetensorsHeader {
    /// Sorted by position in the data section.
    let entries: [SafetensorsEntry]
    let metadata: [String: String]
    /// Where the data section starts in the file.
    let dataStart: Int

    /// The library's own cap, as the reference implementation's: a larger header is a
    /// corrupt length field, not a real file.
    static let maximumHeaderLength = 100_000_000

    /// Parses and validates the header of `bytes`; every problem throws `TorchError(.io)`
    /// naming `file`.
    init(parsing bytes: [UInt8], file: String) throws {
        func fail(_ problem: String) -> TorchError { TorchError(.io, "safetensors file \(file): \(problem)") }
        guard bytes.count >= 8 else {
            throw fail("the file is \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(bytes.count - 8) else {
            throw fail("the header length \(length) goes beyond the end of the file (\(bytes.count - 8) bytes follow the length field); the file is truncated or not safetensors")
        }
        let dataStart = 8 + Int(length)
        try self.init(json: bytes[8..<dataStart], dataStart: dataStart, dataLength: bytes.count - dataStart, fail: fail)
    }

    /// Validates a header's JSON against a data section of `dataLength` bytes that starts at
    /// byte `dataStart` of the file; `fail` turns a problem into the error thrown. The reader
    /// runs this on what it reads, and the writer on what it is about to write, so a file
    /// SwiftTorch writes is always one it can read.
    init(json: ArraySlice<UInt8>, dataStart: Int, dataLength: Int, fail: (String) -> TorchError) throws {
        try Self.checkLength(json.count, fail: fail)
        self.dataStart = dataStart

        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(json))
        } catch {
            throw fail("the header is not valid safetensors JSON (\(explain(decodingError: error)))")
        }
        metadata = raw.metadata

        var entries: [SafetensorsEntry] = []
        for (name, entry) in raw.entries {
            guard let dtype = DType(safetensorsName: entry.dtype) else {
                throw fail("tensor '\(name)' has dtype '\(entry.dtype)', which SwiftTorch does not support (F32, F64, I32, I64, BOOL)")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(name)' has a negative size in its shape \(describe(shape: entry.shape))")
            }
            guard let byteCount = checkedByteCount(shape: entry.shape, itemSize: dtype.itemSize) else {
                throw fail("tensor '\(name)' has shape \(describe(shape: entry.shape)), too large to exist")
            }
            guard entry.data_offsets.count == 2 else {
                throw fail("tensor '\(name)' has \(entry.data_offsets.count) data_offsets; expected [begin, end]")
            }
            let (begin, end) = (entry.data_offsets[0], entry.data_offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw fail("tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data section")
            }
            guard byteCount == end - begin else {
                throw fail("tensor '\(name)' of shape \(describe(shape: entry.shape)) and dtype \(entry.dtype) needs \(byteCount) bytes, but its data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: entry.shape, range: begin..<end))
        }

        // The tensors must tile the data section exactly: an overlap or a gap means the
        // offsets (or the file) are corrupt.
        entries.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var covered = 0
        var previous: String?
        for entry in entries {
            if entry.range.lowerBound < covered {
                throw fail("tensors '\(previous ?? "")' and '\(entry.name)' overlap in the data section (bytes \(entry.range.lowerBound)..<\(covered))")
            }
            if entry.range.lowerBound > covered {
                throw fail("bytes \(covered)..<\(entry.range.lowerBound) of the data section belong to no tensor")
            }
            covered = entry.range.upperBound
            previous = entry.name
        }
        guard covered == dataLength else {
            throw fail("the data section is \(dataLength) bytes but the tensors cover only the first \(covered)")
        }
        self.entries = entries
    }

    /// Refuses a header of `length` bytes (or of at least that many) over the limit.
    static func checkLength(_ length: Int, atLeast: Bool = false, fail: (String) -> TorchError) throws {
        guard length <= maximumHeaderLength else {
            throw fail("the header length \(atLeast ? "would be at least " : "")\(length) is over the \(maximumHeaderLength)-byte limit")
        }
    }

    /// The header's JSON for tensors laid out in `entries` order, padded with spaces so the
    /// data section starts 8-byte aligned (as the reference implementation does).
    static func encode(_ entries: [SafetensorsEntry], metadata: [String: String]) -> [UInt8] {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for e in entries {
            let shape = e.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(e.name)):{\"dtype\":\"\(e.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(e.range.lowerBound),\(e.range.upperBound)]}")
        }
        var json = Array("{\(fields.joined(separator: ","))}".utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        return json
    }

    private static func jsonString(_ s: String) -> String {
        // Most names and values need no escape: take them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The header as JSON gives it, before validation.
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }
    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    var entries: [(String, Entry)] = []
    var metadata: [String: String] = [:]

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
        }
    }
}
