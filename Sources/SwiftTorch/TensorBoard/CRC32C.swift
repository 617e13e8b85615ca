/// CRC-32C (Castagnoli), the checksum of TensorFlow's record files, and its "masked" form:
/// a record's length and data are each followed by the masked CRC of their bytes.
enum CRC32C {
    /// The reflected Castagnoli polynomial's byte table.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes` (of "123456789" it is 0xE3069283).
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }

    /// TensorFlow's mask: a CRC of data that holds CRCs is itself a poor checksum, so the
    /// stored value is rotated and offset.
    static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
