// The digits classifiers trained data-parallel on Open MPI: each rank trains on its share of
// every batch and DistributedDataParallel averages the gradients, so N ranks train the
// model one process would. Run through the launch script:
//
//   scripts/train-distributed.sh N [mlp|cnn] [--epochs N]
//   (mpirun -np N .build/release/digits-distributed --model mlp|cnn [--epochs N])
//
// The recipe is the single-process example's (`DigitsRecipe.mlp` / `.cnn`: the same model
// from `manualSeed(0)`, SGD with momentum 0.9, 30 epochs, the same 80/20 split), with the
// global batch of 64 split into N local batches of 64 / N drawn by a DistributedSampler
// (seed 7, a new order each epoch). Alone, it is a world of one and trains as one process.
import Foundation
import ExampleSupport
import SwiftTorch
import SwiftTorchDistributed

runDistributed("digits-distributed") { group in
    let options = try ExampleOptions(CommandLine.arguments, defaults: ["model": "mlp", "epochs": "30"], flags: [])
    let recipe: DigitsRecipe
    switch options.string("model") {
    case "mlp": recipe = .mlp
    case "cnn": recipe = .cnn
    case let other: throw TorchError(.invalidArgument, "--model must be mlp or cnn, got '\(other ?? "")'")
    }
    let epochs = try options.int("epochs")
    let globalBatch = 64
    guard globalBatch % group.worldSize == 0 else {
        throw TorchError(.invalidArgument, "the global batch of \(globalBatch) does not split evenly over \(group.worldSize) ranks; run 1, 2, 4, 8, 16, 32 or 64 ranks")
    }
    let data = try DigitsData(imageShape: recipe.imageShape)
    let (model, optimizer) = try recipe.makeModelAndOptimizer()
    let parallel = try DistributedDataParallel(model, processGroup: group)
    var sampler = try DistributedSampler(data.train.dataset, processGroup: group, seed: 7)
    let say = { (line: String) in if group.rank == 0 { print(line) } }
    say("\(recipe.name): \(group.worldSize) rank(s), local batch \(globalBatch / group.worldSize), \(sampler.numSamples) samples per rank per epoch")

    let start = ContinuousClock.now
    for epoch in 1...epochs {
        sampler.setEpoch(epoch)
        let loader = DataLoader(try sampler.subset(of: data.train.dataset), batchSize: globalBatch / group.worldSize)
        var lossSum = 0.0, steps = 0
        try trainClassifier(parallel, on: loader, optimizer: optimizer, epochs: 1, afterStep: { _, _, loss in
            lossSum += try loss.item()
            steps += 1
        })
        say(String(format: "epoch %2d/%d loss %.4f (rank 0)", epoch, epochs, lossSum / Double(max(steps, 1))))
    }
    let trainingTime = ContinuousClock.now - start
    // Every rank holds the same model; rank 0 reports its accuracy.
    if group.rank == 0 { try data.evaluate(model, trainingTime: trainingTime) }
}
