import Foundation
import SwiftTorchCore

/// One case of a `swifttorch-conformance/1` file (see Docs/conformance.md). A case that
/// cannot be read (an unknown dtype, a value of the wrong JSON type) is still a case: it
/// keeps whatever id it has and says why in ``problem``, and the runner reports it as that
/// case's failure while the rest of the file runs.
public struct ConformanceCase: Decodable, Sendable {
    /// The case's unique name in its file.
    public let id: String
    /// The registry name of the operator under test.
    public let op: String
    /// The positional tensor inputs.
    public let inputs: [CaseInput]
    /// The keyword arguments by schema name.
    public let args: [String: CaseArgument]
    /// The outputs PyTorch computed; nil for an error case.
    public let expected: [CaseTensor]?
    /// A relative tolerance for this case instead of the dtype's default.
    public let rtol: Double?
    /// An absolute tolerance for this case instead of the dtype's default.
    public let atol: Double?
    /// The expected input gradients for a given output gradient, when the case checks them.
    public let grad: CaseGradient?
    /// Whether PyTorch raised an error, which SwiftTorch must throw too.
    public let error: Bool
    /// For an error case, which error the operator must report.
    public let why: String?
    /// Free labels, such as `broadcast`, `noncontiguous` or `specials`.
    public let tags: [String]
    /// Why the case could not be read, or nil for a well-formed case.
    public let problem: String?

    enum CodingKeys: String, CodingKey { case id, op, inputs, args, expected, rtol, atol, grad, error, why, tags }

    /// A case that could not be read: its id (or its place in the file), its op when known.
    init(malformed id: String, op: String?, problem: String) {
        (self.id, self.op, self.problem) = (id, op ?? "?", problem)
        (inputs, args, expected, rtol, atol, grad, error, why, tags) = ([], [:], nil, nil, nil, nil, false, nil, [])
    }

    /// Reads a case; a malformed one still decodes and carries its ``problem``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        op = try c.decode(String.self, forKey: .op)
        inputs = try c.decodeIfPresent([CaseInput].self, forKey: .inputs) ?? []
        args = try c.decodeIfPresent([String: CaseArgument].self, forKey: .args) ?? [:]
        expected = try c.decodeIfPresent([CaseTensor].self, forKey: .expected)
        rtol = try c.decodeIfPresent(Double.self, forKey: .rtol)
        atol = try c.decodeIfPresent(Double.self, forKey: .atol)
        grad = try c.decodeIfPresent(CaseGradient.self, forKey: .grad)
        error = try c.decodeIfPresent(Bool.self, forKey: .error) ?? false
        why = try c.decodeIfPresent(String.self, forKey: .why)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        problem = nil
    }
}

/// One element of a file's `cases`: the case, or, when it cannot be decoded, a malformed
/// case with the reason. Never throws, so one bad case cannot reject the file.
private struct CaseSlot: Decodable {
    let value: ConformanceCase

    init(from decoder: any Decoder) {
        do {
            value = try ConformanceCase(from: decoder)
        } catch {
            let fields = try? decoder.container(keyedBy: ConformanceCase.CodingKeys.self)
            let id = fields.flatMap { try? $0.decodeIfPresent(String.self, forKey: .id) }
            let op = fields.flatMap { try? $0.decodeIfPresent(String.self, forKey: .op) }
            let place = decoder.codingPath.last?.intValue.map { "case #\($0)" } ?? "a case"
            value = ConformanceCase(malformed: id ?? place, op: op, problem: explain(decodingError: error))
        }
    }
}

/// The gradient part of a case: the output gradient and the expected input gradients.
public struct CaseGradient: Decodable, Sendable {
    /// The gradient fed to the backward pass (`output_grad`).
    public let outputGrad: CaseTensor
    /// The expected gradient of each input, null for inputs without one.
    public let inputs: [CaseInput]
    enum CodingKeys: String, CodingKey {
        case outputGrad = "output_grad"
        case inputs
    }
}

/// A positional input: a tensor, a list of tensors (`cat`), or null.
public enum CaseInput: Decodable, Sendable {
    /// One tensor.
    case tensor(CaseTensor)
    /// A list of tensors, for operators such as `cat`.
    case list([CaseTensor])
    /// No input in this position.
    case null

    /// Reads null, a list of tensors, or one tensor.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let list = try? c.decode([CaseTensor].self) { self = .list(list) } else {
            self = .tensor(try c.decode(CaseTensor.self))
        }
    }
}

/// A keyword argument's JSON value.
public enum CaseArgument: Decodable, Sendable {
    /// The JSON value: an integer, a number, a boolean, a string, a list of integers, or null.
    case int(Int), double(Double), bool(Bool), string(String), ints([Int]), null

    /// Reads null, a boolean, an integer, a number, a string, or a list of integers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) { self = .double(d) } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else { self = .ints(try c.decode([Int].self)) }
    }

    var value: ArgumentValue {
        switch self {
        case .int(let v): .int(v)
        case .double(let v): .double(v)
        case .bool(let v): .bool(v)
        case .string(let v): .string(v)
        case .ints(let v): .ints(v)
        case .null: .none
        }
    }
}

/// A tensor in a case file: contiguous (`data`) or a strided view over `storage`.
public struct CaseTensor: Decodable, Sendable {
    /// The element type.
    public let dtype: DType
    /// The sizes of the dimensions.
    public let shape: [Int]
    /// The strides of a view over `storage`; nil for contiguous `data`.
    public let strides: [Int]?
    /// The view's first element in `storage`; 0 for `data`.
    public let offset: Int
    /// Values in row-major order (`data`) or the raw storage of a strided view.
    public let values: [CaseNumber]

    enum CodingKeys: String, CodingKey { case dtype, shape, strides, offset, data, storage }

    /// The most elements a case tensor may have (16 Mi): far more than any case needs.
    public static let maximumElements = 1 << 24

    /// Reads a tensor and checks that its values fit its shape, or its view fits its storage.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .dtype)
        guard let dtype = DType(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .dtype, in: c, debugDescription: "unknown dtype '\(name)'")
        }
        self.dtype = dtype
        shape = try c.decode([Int].self, forKey: .shape)
        strides = try c.decodeIfPresent([Int].self, forKey: .strides)
        offset = try c.decodeIfPresent(Int.self, forKey: .offset) ?? 0
        values = try c.decodeIfPresent([CaseNumber].self, forKey: .data) ?? c.decode([CaseNumber].self, forKey: .storage)
    }

    /// Builds the tensor (a view over its own storage when strides are given). A shape the
    /// values do not fill, or a view that reaches outside its storage, throws: the view is
    /// checked here, so a case file can never make a kernel read or write out of bounds.
    public func makeTensor() throws -> Tensor {
        guard let bytes = checkedByteCount(shape: shape, itemSize: dtype.itemSize) else {
            throw TorchError(.shapeMismatch, "case tensor: \(dtype) of shape \(describe(shape: shape)) has a negative size or more bytes than Int.max")
        }
        let elements = bytes / dtype.itemSize
        // A stride-0 view can make a huge tensor of a few stored values; an operator would
        // then run for hours on it. Case files hold small tensors.
        guard elements <= Self.maximumElements else {
            throw TorchError(.invalidArgument, "case tensor: shape \(describe(shape: shape)) has \(elements) elements, more than the \(Self.maximumElements) a case may hold")
        }
        if strides == nil, values.count != elements {
            throw TorchError(.shapeMismatch, "case tensor: shape \(describe(shape: shape)) needs \(elements) values in `data`, the case gives \(values.count)")
        }
        if let strides { try checkView(strides: strides, elements: elements) }
        let storageShape = strides == nil ? shape : [values.count]
        let base: Tensor
        if dtype.isFloatingPoint {
            base = try Tensor(values.map(\.double), shape: storageShape, dtype: dtype)
        } else {
            base = try Tensor(values.map(\.int64), shape: storageShape, dtype: dtype)
        }
        guard let strides else { return base }
        return try Tensor(viewOf: base, shape: shape, strides: strides, offset: offset)
    }

    /// Every element the view reads lies in its `storage`: strides non-negative (as PyTorch's),
    /// one per dimension, and the last element reached (sizes minus one times strides, plus
    /// the offset) before the storage's end. An empty view reads nothing.
    private func checkView(strides: [Int], elements: Int) throws {
        let view = "case tensor: a view of shape \(describe(shape: shape)), strides \(describe(shape: strides)) and offset \(offset)"
        guard strides.count == shape.count else {
            throw TorchError(.shapeMismatch, "\(view) needs one stride per dimension")
        }
        guard offset >= 0, strides.allSatisfy({ $0 >= 0 }) else {
            throw TorchError(.invalidArgument, "\(view): offset and strides must be non-negative")
        }
        guard elements > 0 else { return }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (reach, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, past) = last.addingReportingOverflow(reach)
            guard !overflow, !past else {
                throw TorchError(.indexOutOfRange, "\(view) reaches past Int.max, outside its \(values.count)-element storage")
            }
            last = sum
        }
        guard last < values.count else {
            throw TorchError(.indexOutOfRange, "\(view) reads element \(last), outside its \(values.count)-element storage")
        }
    }
}

/// A JSON number, boolean, or one of the strings "nan", "inf", "-inf".
public enum CaseNumber: Decodable, Sendable {
    /// An exact integer (beyond 2^53 too), or any other number, NaN and infinities included.
    case integer(Int64), real(Double)

    /// Reads a number, a boolean, or `"nan"`, `"inf"`, `"-inf"`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Doubles first (the common case, and -0.0 keeps its sign); integers beyond 2^53 need Int64.
        if let d = try? c.decode(Double.self) {
            if Swift.abs(d) >= 0x1p53, d.rounded() == d, let i = try? c.decode(Int64.self) { self = .integer(i) } else { self = .real(d) }
            return
        }
        if let b = try? c.decode(Bool.self) { self = .integer(b ? 1 : 0); return }
        switch try c.decode(String.self) {
        case "nan": self = .real(.nan)
        case "inf": self = .real(.infinity)
        case "-inf": self = .real(-.infinity)
        case let s: throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: '\(s)'")
        }
    }

    var double: Double {
        switch self {
        case .integer(let i): Double(i)
        case .real(let d): d
        }
    }
    var int64: Int64 {
        switch self {
        case .integer(let i): i
        case .real(let d): DType.integerValue(d)
        }
    }
}

/// A whole case file. A file that is not JSON, or has no `format` or `cases`, is refused
/// whole; a malformed case inside it is one case's failure (``ConformanceCase/problem``).
public struct ConformanceFile: Decodable, Sendable {
    /// The format's name and version, `swifttorch-conformance/1`.
    public let format: String
    /// What wrote the file, such as the PyTorch version.
    public let generator: String?
    /// The cases, malformed ones included.
    public let cases: [ConformanceCase]

    enum CodingKeys: String, CodingKey { case format, generator, cases }

    /// Reads the file; only a missing `format` or `cases` refuses it whole.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        generator = try c.decodeIfPresent(String.self, forKey: .generator)
        cases = try c.decode([CaseSlot].self, forKey: .cases).map(\.value)
    }

    /// Reads and checks a file; the error names the file and what is wrong.
    public static func load(_ path: String) throws -> ConformanceFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TorchError(.io, "conformance: cannot read '\(path)': \(error.localizedDescription)")
        }
        return try decode(data, name: path)
    }

    /// Decodes a file's contents; `name` goes into the errors.
    static func decode(_ data: Data, name path: String) throws -> ConformanceFile {
        let file: ConformanceFile
        do { file = try JSONDecoder().decode(ConformanceFile.self, from: data) } catch {
            throw TorchError(.io, "conformance: '\(path)' is not a valid case file: \(explain(decodingError: error))")
        }
        guard file.format == "swifttorch-conformance/1" else {
            throw TorchError(.io, "conformance: '\(path)' has format '\(file.format)', expected 'swifttorch-conformance/1'")
        }
        return file
    }
}
