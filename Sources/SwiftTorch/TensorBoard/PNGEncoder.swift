import CSystemZlib
import SwiftTorchCore

/// A minimal PNG encoder for TensorBoard images: 8-bit grayscale, grayscale with alpha, RGB
/// or RGBA, no interlacing, every row with filter 0 (none), the pixels zlib-compressed.
enum PNGEncoder {
    /// The PNG file of a `height` x `width` image of `channels` (1 to 4) interleaved 8-bit
    /// samples per pixel, row by row.
    static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws -> [UInt8] {
        guard (1...4).contains(channels), width > 0, height > 0, pixels.count == width * height * channels else {
            throw TorchError(.invalidArgument, "PNGEncoder: \(pixels.count) samples do not make a \(height)x\(width) image of \(channels) channels (1 to 4, and at least one pixel)")
        }
        let colorType: UInt8 = [1: 0, 2: 4, 3: 2, 4: 6][channels]!
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]  // Bit depth, color type, compression, filter, interlace.
        // Each row starts with its filter type; 0 leaves the samples as they are.
        let rowBytes = width * channels
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (rowBytes + 1))
        for row in 0..<height {
            raw.append(0)
            raw += pixels[(row * rowBytes)..<((row + 1) * rowBytes)]
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", try zlibCompress(raw)) + chunk("IEND", [])
    }

    /// A chunk: its length, type, data and the CRC-32 of type and data.
    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc)
    }

    /// `bytes` in the zlib format (PNG's IDAT), at zlib's default level.
    private static func zlibCompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(capacity))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw TorchError(.io, "PNGEncoder: zlib could not compress the image (error \(status))") }
        return Array(out.prefix(Int(capacity)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
}
