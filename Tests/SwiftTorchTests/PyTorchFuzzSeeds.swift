import Foundation
@testable import SwiftTorch

// The `.pt` target of the reader fuzzer (ReaderFuzzTests): its seeds and its structured
// mutation, which damages the pickle inside a well-formed zip so that the damage reaches the
// unpickler rather than stopping at the zip's checksums.

/// PyTorch's own files and one SwiftTorch writes (views of one storage, every dtype, nesting).
func pytorchFuzzSeeds() throws -> [[UInt8]] {
    var seeds = try ["checkpoint.pt", "views.pt"].map { try [UInt8](Data(contentsOf: interopFixture($0))) }
    seeds += try ["adam.pt", "tensors.pt", "batchnorm.pt"].map { try [UInt8](Data(contentsOf: extraFixture($0))) }
    let base = try Tensor((0..<6).map(Double.init), shape: [2, 3], dtype: .float64)
    seeds.append(try encodePyTorch(.dict([
        "base": .tensor(base), "t": .tensor(try base.t()), "ints": .tensor(try Tensor([Int32(1), -2], shape: [2])),
        "flags": .tensor(try Tensor([true], shape: [1])), "list": .list([.int(1 << 40), .double(0.5), .none, .string("s")]),
    ]), folder: "seed"))
    return seeds
}

/// `input` with its `data.pkl` mutated and every record zipped again; an input that is not
/// a readable archive is mutated as bytes.
func mutatePyTorchPickle(_ input: [UInt8], with mutator: inout ByteMutator, corpus: [[UInt8]]) throws -> [UInt8] {
    guard let records = try? PyTorchArchiveReader(bytes: input, file: "seed").records(),
          let pickle = records.first(where: { $0.name == "data.pkl" }) else {
        return mutator.mutate(input, corpus: corpus)
    }
    let damaged = mutator.mutate(pickle.bytes, corpus: corpus.compactMap { try? PyTorchArchiveReader(bytes: $0, file: "seed").record(named: "data.pkl") })
    return try zipArchive(folder: "fuzz", records: records.map { ($0.name, .bytes($0.name == "data.pkl" ? damaged : $0.bytes)) })
}
