import Foundation
import SwiftTorchCore

/// A value in the non-tensor part of a state dict: an optimizer's `param_groups` entries, a
/// scheduler's counters, a checkpoint's extra fields. JSON's data model, so a state dict is
/// saved as JSON and reads as PyTorch's Python dictionaries do (`betas` is a two-number list).
public enum StateValue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A number (JSON has one number type; PyTorch's ints and floats both land here).
    case number(Double)
    /// True or false.
    case bool(Bool)
    /// Text, such as a scheduler's mode.
    case string(String)
    /// A list, such as `betas` or `params`.
    case list([StateValue])
    /// Named values, such as a nested scheduler's state dict.
    case dictionary([String: StateValue])
    /// No value (Python's `None`).
    case null

    /// A list of numbers.
    public static func numbers(_ values: [Double]) -> StateValue { .list(values.map(StateValue.number)) }

    /// A whole number (JSON has one number type; integers up to 2⁵³ round-trip exactly).
    public static func int(_ value: Int) -> StateValue { .number(Double(value)) }

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([StateValue].self) {
            self = .list(value)
        } else {
            self = .dictionary(try container.decode([String: StateValue].self))
        }
    }

    /// Encodes the value as the JSON value it stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .dictionary(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The value as JSON text.
    public var description: String { (try? StateValue.json(self)) ?? "<unencodable>" }

    /// `value` as JSON text with sorted keys. Infinities and NaN (ReduceLROnPlateau's
    /// starting `best` is infinite) are written as the strings "inf", "-inf" and "nan".
    public static func json(_ value: StateValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Parses JSON text written by ``json(_:)``; `what` names the text in the error.
    public static func parse(_ text: String, what: String) throws -> StateValue {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(StateValue.self, from: Data(text.utf8))
        } catch {
            throw TorchError(.io, "\(what): not valid JSON (\(error))")
        }
    }
}

/// Typed reads of a state dict's entries: a missing key or a value of the wrong type throws
/// a ``TorchError`` that names `owner` (for example "StepLR.loadStateDict") and the key.
extension Dictionary where Key == String, Value == StateValue {
    func value(_ key: String, _ owner: String) throws -> StateValue {
        guard let value = self[key] else {
            throw TorchError(.invalidArgument, "\(owner): the state dict has no '\(key)' (keys: \(keys.sorted().joined(separator: ", ")))")
        }
        return value
    }

    func number(_ key: String, _ owner: String) throws -> Double {
        guard case .number(let n) = try value(key, owner) else { throw wrongType(key, "a number", owner) }
        return n
    }

    func int(_ key: String, _ owner: String) throws -> Int {
        let n = try number(key, owner)
        guard let i = Int(exactly: n) else { throw wrongType(key, "a whole number", owner) }
        return i
    }

    func bool(_ key: String, _ owner: String) throws -> Bool {
        guard case .bool(let b) = try value(key, owner) else { throw wrongType(key, "true or false", owner) }
        return b
    }

    func string(_ key: String, _ owner: String) throws -> String {
        guard case .string(let s) = try value(key, owner) else { throw wrongType(key, "a string", owner) }
        return s
    }

    func numbers(_ key: String, _ owner: String, count: Int? = nil) throws -> [Double] {
        guard case .list(let items) = try value(key, owner) else { throw wrongType(key, "a list of numbers", owner) }
        let values = try items.map { item -> Double in
            guard case .number(let n) = item else { throw wrongType(key, "a list of numbers", owner) }
            return n
        }
        if let count, values.count != count {
            throw TorchError(.invalidArgument, "\(owner): '\(key)' has \(values.count) values, expected \(count) (one per parameter group)")
        }
        return values
    }

    func ints(_ key: String, _ owner: String) throws -> [Int] {
        try numbers(key, owner).map { n in
            guard let i = Int(exactly: n) else { throw wrongType(key, "a list of whole numbers", owner) }
            return i
        }
    }

    /// Sets `target` from `key` when the dictionary has it (an options loader's step).
    func update(_ target: inout Double, _ key: String, _ owner: String) throws {
        if self[key] != nil { target = try number(key, owner) }
    }

    /// Sets `target` from `key` when the dictionary has it.
    func update(_ target: inout Bool, _ key: String, _ owner: String) throws {
        if self[key] != nil { target = try bool(key, owner) }
    }

    private func wrongType(_ key: String, _ expected: String, _ owner: String) -> TorchError {
        TorchError(.invalidArgument, "\(owner): '\(key)' must be \(expected), got \(self[key].map(\.description) ?? "nothing")")
    }
}
