import Foundation
import SwiftTorchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Whole-file reads with errors that name the file, and atomic writes: the loaders and the
// safetensors reader and writer share these so every file error reads the same way.

/// The bytes of the file at `url`; a missing file, a folder or an unreadable file throws
/// `TorchError(.io)` with `what` (for example "safetensors file") and the path.
func readFileBytes(_ url: URL, what: String) throws -> [UInt8] {
    let path = url.path
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw TorchError(.io, "\(what) \(path): no such file")
    }
    guard !isFolder.boolValue else {
        throw TorchError(.io, "\(what) \(path): is a folder, not a file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw TorchError(.io, "\(what) \(path): could not be read (permissions?)")
    }
    return [UInt8](data)
}

/// Writes through a POSIX file descriptor, retrying partial and interrupted writes.
struct FileSink {
    let descriptor: Int32
    let path: String

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = posixWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TorchError(.io, "\(path): write failed (\(String(cString: strerror(errno))))")
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

/// Writes a file so that readers see either the old contents or the complete new ones, and
/// so that a power cut after this returns keeps the new ones: `body` writes a temporary file
/// in the destination's folder (a rename is atomic only within one file system), which is
/// flushed to disk and renamed over `url`, and then the folder is flushed too, since the
/// rename lives in the folder, not in the file. If anything fails before the rename, the
/// temporary file is removed and `url` is left as it was. `sync` is `fsync`; tests pass a
/// recorder.
func writeFileAtomically(_ url: URL, what: String, sync: (Int32) -> Int32 = { fsync($0) },
                         _ body: (FileSink) throws -> Void) throws {
    let destination = url.path
    let folder = url.deletingLastPathComponent().path
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp").path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw TorchError(.io, "\(what) \(destination): cannot create a temporary file in \(folder) (\(String(cString: strerror(errno))))")
    }
    var closed = false
    do {
        try body(FileSink(descriptor: descriptor, path: temporary))
        // Flush before the rename, so a crash cannot leave a renamed but empty file.
        guard sync(descriptor) == 0 else {
            throw TorchError(.io, "\(what) \(destination): flushing \(temporary) failed (\(String(cString: strerror(errno))))")
        }
        closed = true
        guard close(descriptor) == 0 else {
            throw TorchError(.io, "\(what) \(destination): closing \(temporary) failed (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, destination) == 0 else {
            throw TorchError(.io, "\(what) \(destination): cannot replace it with the new file (\(String(cString: strerror(errno))))")
        }
    } catch {
        if !closed { close(descriptor) }
        unlink(temporary)
        throw error
    }
    try syncFolder(folder, what: "\(what) \(destination)", sync: sync)
}

/// Flushes `folder`'s entries (a rename into it) to disk. A file system that cannot sync a
/// folder says EINVAL, and then there is nothing more to do.
private func syncFolder(_ folder: String, what: String, sync: (Int32) -> Int32) throws {
    let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw TorchError(.io, "\(what): written, but its folder \(folder) cannot be opened to flush the rename (\(String(cString: strerror(errno))))")
    }
    defer { close(descriptor) }
    guard sync(descriptor) == 0 || errno == EINVAL else {
        throw TorchError(.io, "\(what): written, but flushing its folder \(folder) failed (\(String(cString: strerror(errno)))); the new file may not survive a power cut")
    }
}
