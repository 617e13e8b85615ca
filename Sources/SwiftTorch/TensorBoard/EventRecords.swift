import Foundation
import SwiftProtobuf
import SwiftTorchCore

/// TensorFlow's record framing, which TensorBoard's event files use: each record is its
/// length (8 bytes, little-endian), the masked CRC-32C of those 8 bytes, the data, and the
/// masked CRC-32C of the data.
enum EventRecords {
    /// `data` framed as one record.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * UInt64($0))) }
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    /// The data of every record in `bytes`, each checksum checked; a truncated or damaged
    /// record throws `TorchError(.io)` naming `file` and the record's position.
    static func unframe(_ bytes: [UInt8], file: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var at = 0
        while at < bytes.count {
            guard bytes.count - at >= 12 else {
                throw TorchError(.io, "event file \(file): record \(records.count) at byte \(at) is cut short in its header")
            }
            let lengthBytes = Array(bytes[at..<(at + 8)])
            guard readUInt32(bytes, at + 8) == CRC32C.masked(lengthBytes) else {
                throw TorchError(.io, "event file \(file): record \(records.count) at byte \(at): its length's CRC does not match")
            }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length <= UInt64(bytes.count - at - 16) else {
                throw TorchError(.io, "event file \(file): record \(records.count) at byte \(at) claims \(length) bytes; \(bytes.count - at - 16) are left")
            }
            let data = Array(bytes[(at + 12)..<(at + 12 + Int(length))])
            guard readUInt32(bytes, at + 12 + Int(length)) == CRC32C.masked(data) else {
                throw TorchError(.io, "event file \(file): record \(records.count) at byte \(at): its data's CRC does not match")
            }
            records.append(data)
            at += 16 + Int(length)
        }
        return records
    }

    /// Every event in the event file at `url`, each record's CRCs checked.
    static func events(in url: URL) throws -> [Tensorboard_Event] {
        let bytes = try readFileBytes(url, what: "event file")
        return try unframe(bytes, file: url.path).enumerated().map { index, data in
            do {
                return try Tensorboard_Event(serializedBytes: data)
            } catch {
                throw TorchError(.io, "event file \(url.path): record \(index) is not an Event message (\(error))")
            }
        }
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    private static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }
}
