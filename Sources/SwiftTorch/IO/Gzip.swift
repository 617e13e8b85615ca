import CSystemZlib
import SwiftTorchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip compression through the system zlib, for data files such as the bundled digits CSV
/// and MNIST's `.gz` files.
public enum Gzip {
    /// Whether `bytes` start with gzip's magic number (`1f 8b`).
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most any decompression produces, whatever a caller allows: 2 GiB. SwiftTorch's
    /// data files (MNIST is 47 MB unpacked) are far smaller; more is a damaged or hostile
    /// file (a few MB of gzip can claim tens of GB).
    public static let hardLimit = 1 << 31

    /// The uncompressed contents of gzip data (concatenated members are joined, as gzip does).
    /// `name` (a file path, say) goes into the error a truncated or corrupt input throws.
    /// Data that decompresses to more than `limit` bytes (capped at ``hardLimit``) throws as
    /// soon as it passes the limit, so memory never grows past it: pass the size the data's
    /// own header promises, when it has one.
    public static func decompress(_ input: [UInt8], name: String = "gzip data", limit: Int = hardLimit) throws -> [UInt8] {
        try inflateGzip(input, name: name, limit: Swift.min(Swift.max(limit, 0), hardLimit), prefixOnly: false)
    }

    /// The first `count` bytes of gzip data's contents (all of them when there are fewer),
    /// decompressing no further: enough to read a header that says how large the rest is.
    public static func decompressedPrefix(_ input: [UInt8], count: Int, name: String = "gzip data") throws -> [UInt8] {
        try inflateGzip(input, name: name, limit: Swift.min(Swift.max(count, 0), hardLimit), prefixOnly: true)
    }

    /// Inflates into one buffer that grows up to `limit` bytes; past that, returns the first
    /// `limit` bytes (`prefixOnly`) or throws.
    private static func inflateGzip(_ input: [UInt8], name: String, limit: Int, prefixOnly: Bool) throws -> [UInt8] {
        guard isCompressed(input) else {
            throw TorchError(.io, "\(name): not gzip data (it does not start with the bytes 1f 8b)")
        }
        if prefixOnly, limit == 0 { return [] }
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

        // One byte of room past the limit: producing it proves the data is longer than allowed.
        let ceiling = prefixOnly ? limit : limit + 1
        // The gzip trailer's size field (the length modulo 2^32) makes the first guess exact
        // for ordinary files; the buffer doubles otherwise. The guess is capped, since a
        // damaged trailer can claim up to 4 GiB.
        let trailerSize = input.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        var capacity = Swift.min(Swift.max(Swift.min(trailerSize, input.count * 16) + 1, 1 << 16), ceiling)
        // malloc and realloc, not Swift's allocate: running out of memory is an error, not a
        // trap, and realloc grows large blocks without copying them.
        guard var buffer = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else {
            throw TorchError(.outOfMemory, "\(name): can't allocate memory: \(capacity) bytes to decompress into")
        }
        defer { free(buffer) }
        var produced = 0
        try input.withUnsafeBufferPointer { source in
            var fed = 0
            while true {
                if stream.pointee.avail_in == 0, fed < source.count {
                    // avail_in is 32-bit: feed very large inputs in pieces.
                    let n = Swift.min(source.count - fed, 1 << 30)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + fed)
                    stream.pointee.avail_in = uInt(n)
                    fed += n
                }
                if produced == capacity {
                    // Full at the ceiling: a prefix is complete, and whole data is too long.
                    if capacity == ceiling { return }
                    let larger = Swift.min(capacity * 2, ceiling)
                    guard let grown = realloc(buffer, larger)?.assumingMemoryBound(to: UInt8.self) else {
                        throw TorchError(.outOfMemory, "\(name): can't allocate memory: \(larger) bytes to decompress into")
                    }
                    (buffer, capacity) = (grown, larger)
                }
                let room = Swift.min(capacity - produced, 1 << 30)
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
        if !prefixOnly, produced > limit {
            throw TorchError(.io, "\(name): the gzip data decompresses to more than \(limit) bytes, the most expected of it"
                + (limit == hardLimit ? " (SwiftTorch's cap)" : "") + "; the file is damaged or not what it claims to be")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Swift.min(produced, limit)))
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
