// A small causal Transformer language model over characters of real English text: the GPL
// version 3 and the Apache License 2.0 from /usr/share/common-licenses (every Debian system
// has them), the last 10% held out for validation.
//
//   swift run -c release char-transformer [--epochs N] [--steps N] [--temperature T] [--length N] [--save PATH]
//
// Embeddings (characters and positions) → 2 pre-norm encoder layers (d_model 64, 4 heads,
// feed-forward 256, GELU, dropout 0.1) with the causal mask → layer norm → linear to the
// vocabulary. Adam (lr 3e-3), batches of 32 random windows of 64 characters. Per epoch it
// prints the training and validation loss (nats per character), then how far validation
// ends below the unigram baseline (the validation text's cross entropy under the training
// text's character frequencies), samples text at a temperature, saves the weights
// (safetensors, written to a temporary name and renamed) and checks that the reloaded model
// gives the same validation loss.
import Foundation
import ExampleSupport
import SwiftTorch

runExample("char-transformer") {
    var recipe = CharTransformerRecipe()
    let options = try ExampleOptions(CommandLine.arguments,
                                     defaults: ["epochs": "\(recipe.epochs)", "steps": "\(recipe.stepsPerEpoch)",
                                                "temperature": "0.8", "length": "300", "prompt": "The ",
                                                "save": "char-transformer.safetensors"])
    recipe.epochs = try options.int("epochs")
    recipe.stepsPerEpoch = try options.int("steps")
    guard let temperature = Double(options.string("temperature") ?? ""), temperature > 0 else {
        throw TorchError(.invalidArgument, "--temperature needs a positive number, got '\(options.string("temperature") ?? "")'")
    }
    let corpus = try CharacterCorpus.commonLicenses()
    print("text: \(CharacterCorpus.commonLicenseFiles.joined(separator: " + ")): \(corpus.train.count) training and \(corpus.validation.count) validation characters, \(corpus.vocabulary.count) distinct")
    let baseline = corpus.unigramBaseline
    print(String(format: "unigram baseline (validation cross entropy under the training character frequencies): %.3f nats/char", baseline))

    let start = ContinuousClock.now
    var lastValidation = Double.nan
    let model = try recipe.train(on: corpus) { epoch, trainLoss, validationLoss in
        lastValidation = validationLoss
        print(String(format: "epoch %d/%d  train loss %.3f  val loss %.3f  (%@)", epoch, recipe.epochs, trainLoss, validationLoss,
                     "\(ContinuousClock.now - start)"))
    }
    let below = baseline - lastValidation
    print(String(format: "validation loss %.3f nats/char is %.3f below the unigram baseline %.3f (%.0f%% lower)%@",
                  lastValidation, below, baseline, 100 * below / baseline,
                  below > 0.5 ? "" : ": NOT well below the baseline"))

    let sample = try model.sample(corpus, prompt: options.string("prompt") ?? "The ", length: options.int("length"),
                                  temperature: temperature, generator: Generator(seed: 5))
    print("sample at temperature \(temperature):\n\(options.string("prompt") ?? "")\(sample)\n")

    let url = URL(fileURLWithPath: options.string("save") ?? "char-transformer.safetensors")
    try model.save(to: url, metadata: ["model": "char-transformer", "vocabulary": String(corpus.vocabulary)])
    let reloaded = try recipe.makeModel(for: corpus)
    try reloaded.load(from: url)
    let validation = try recipe.validationSet(corpus)
    let (before, after) = (try model.meanLoss(validation), try reloaded.meanLoss(validation))
    print(String(format: "saved %@; the reloaded model's validation loss %.6f %@ the trained one's %.6f", url.path, after,
                 after == before ? "equals" : "DIFFERS FROM", before))
    if after != before { throw TorchError(.invalidArgument, "char-transformer: the reloaded weights give another loss") }
}
