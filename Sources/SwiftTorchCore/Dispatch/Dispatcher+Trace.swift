#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// SWIFTTORCH_TRACE: what the dispatcher reports about each call.

extension Dispatcher {
    func trace(_ op: OperatorHandle, _ arguments: Arguments, backend: String, elapsed: Duration) {
        let inputs = describe(tensors: arguments.tensors)
        let micros = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        let line = "[swifttorch] \(op.name) backend=\(backend) inputs=(\(inputs)) \(formatMicros(micros)) us\n"
        // Straight to file descriptor 2: the C `stderr` global is not concurrency-safe in Swift 6.
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }

    private func formatMicros(_ v: Double) -> String {
        let scaled = (v * 10).rounded() / 10
        return String(scaled)
    }
}
