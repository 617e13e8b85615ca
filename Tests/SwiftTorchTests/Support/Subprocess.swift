import Foundation

/// Runs `tool` with `arguments` (and `environment`, or this process's) in `folder` (or this
/// process's current folder); returns its exit status and what it wrote to standard error.
/// Standard output is discarded, or, with `mergingStandardOutput`, returned with standard error.
func runSubprocess(_ tool: URL, _ arguments: [String], environment: [String: String]? = nil,
                   in folder: URL? = nil, mergingStandardOutput: Bool = false) throws
    -> (status: Int32, standardError: String)
{
    let process = Process()
    process.executableURL = tool
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let folder { process.currentDirectoryURL = folder }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = mergingStandardOutput ? errors : FileHandle.nullDevice
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, message)
}
