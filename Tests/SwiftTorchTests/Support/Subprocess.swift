import Foundation

/// Runs `tool` with `arguments` (and `environment`, or this process's), standard output
/// discarded; returns its exit status and what it wrote to standard error.
func runSubprocess(_ tool: URL, _ arguments: [String], environment: [String: String]? = nil) throws
    -> (status: Int32, standardError: String)
{
    let process = Process()
    process.executableURL = tool
    process.arguments = arguments
    if let environment { process.environment = environment }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, message)
}
