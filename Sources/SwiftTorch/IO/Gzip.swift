import CZlib
import SwiftTorchCore

/// gzip compression through the system zlib, for data files such as the bundled digits CSV
/// and MNIST's `.gz` files.
public enum Gzip {
    /// Whether `bytes` start with gzip's magic number (`1f 8b`).
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The uncompressed contents of gzip data (concatenated members are joined, as gzip does).
    /// `name` (a file path, say) goes into the error a truncated or corrupt input throws.
    public static func decompress(_ input: [UInt8], name: String = "gzip data") throws -> [UInt8] {
        guard isCompressed(input) else {
            throw TorchError(.io, "\(name): not gzip data (it does not start with the bytes 1f 8b)")
        }
        // Heap-allocated: zlib keeps a pointer back to the stream and checks it on every call,
        // so the z_stream must not move, which a Swift local does not promise.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // Window bits 15 + 16: gzip framing only, with its CRC and length checked by zlib.
        guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TorchError(.io, "\(name): zlib could not start decompressing (out of memory?)")
        }
        defer { inflateEnd(stream) }

        // Inflate straight into one growing buffer. The gzip trailer's size field (the length
        // modulo 2^32) makes the first guess exact for ordinary files; the buffer doubles
        // otherwise. The guess is capped, since a damaged trailer can claim up to 4 GiB.
        let trailerSize = input.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        var capacity = max(min(trailerSize, input.count * 16), 1 << 16)
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var produced = 0
        try input.withUnsafeBufferPointer { source in
            var fed = 0
            while true {
                if stream.pointee.avail_in == 0, fed < source.count {
                    // avail_in is 32-bit: feed very large inputs in pieces.
                    let n = min(source.count - fed, 1 << 30)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + fed)
                    stream.pointee.avail_in = uInt(n)
                    fed += n
                }
                if produced == capacity {
                    let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                    larger.initialize(from: buffer, count: produced)
                    buffer.deallocate()
                    (buffer, capacity) = (larger, capacity * 2)
                }
                let room = min(capacity - produced, 1 << 30)
                stream.pointee.next_out = buffer + produced
                stream.pointee.avail_out = uInt(room)
                let status = inflate(stream, Z_NO_FLUSH)
                produced += room - Int(stream.pointee.avail_out)
                let inputLeft = Int(stream.pointee.avail_in) + (source.count - fed)
                switch status {
                case Z_STREAM_END:
                    if inputLeft == 0 { return }
                    let next = source.count - inputLeft
                    guard inputLeft >= 2, source[next] == 0x1F, source[next + 1] == 0x8B else {
                        throw TorchError(.io, "\(name): \(inputLeft) bytes of trailing data after the end of the gzip stream")
                    }
                    inflateReset(stream)
                case Z_OK, Z_BUF_ERROR:
                    // zlib wants more input but there is none: the stream was cut short.
                    if inputLeft == 0, stream.pointee.avail_out > 0 {
                        throw TorchError(.io, "\(name): truncated gzip data (the stream ends before its last block and checksum)")
                    }
                case Z_MEM_ERROR:
                    throw TorchError(.io, "\(name): out of memory while decompressing")
                default:
                    throw TorchError(.io, "\(name): corrupt gzip data (zlib: \(message(stream) ?? "error \(status)"))")
                }
            }
        }
        return Array(UnsafeBufferPointer(start: buffer, count: produced))
    }

    /// `input` compressed as one gzip member; `level` 0 (store) ... 9 (smallest).
    public static func compress(_ input: [UInt8], level: Int = 6) throws -> [UInt8] {
        guard (0...9).contains(level) else {
            throw TorchError(.invalidArgument, "Gzip.compress: level must be 0...9, got \(level)")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard deflateInit2_(stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TorchError(.io, "Gzip.compress: zlib could not start compressing (out of memory?)")
        }
        defer { deflateEnd(stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        try input.withUnsafeBufferPointer { source in
            var fed = 0
            while true {
                if stream.pointee.avail_in == 0, fed < source.count {
                    let n = min(source.count - fed, 1 << 30)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + fed)
                    stream.pointee.avail_in = uInt(n)
                    fed += n
                }
                let flush = fed == source.count ? Z_FINISH : Z_NO_FLUSH
                let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    return deflate(stream, flush)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.pointee.avail_out))])
                switch status {
                case Z_STREAM_END: return
                case Z_OK, Z_BUF_ERROR: continue
                default:
                    throw TorchError(.io, "Gzip.compress: zlib failed (\(message(stream) ?? "error \(status)"))")
                }
            }
        }
        return output
    }

    private static func message(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
