import SwiftTorchCore

extension Generator {
    /// The generator a ``DataLoader`` sets while it prepares a batch (see ``augmentation``).
    @TaskLocal static var batchAugmentation: Generator?

    /// Where random transforms (``RandomCrop``, ``RandomHorizontalFlip``) draw when they were
    /// given no generator of their own: while a ``DataLoader`` prepares a batch, a generator
    /// the loader seeds for that batch alone, from its own generator, the pass and the batch's
    /// position; elsewhere ``default``.
    ///
    /// Because each batch has its own stream, a batch's random crops and flips do not depend
    /// on which worker prepared it or when: a seeded loader gives the same batches whatever
    /// its `numWorkers`, as it must. (A transform given its own generator draws from it in
    /// whatever order samples are transformed, which with workers is not fixed.)
    public static var augmentation: Generator { batchAugmentation ?? .default }

    /// A seed standing for this generator's current state, taken without drawing from it.
    var stateSeed: UInt64 {
        getState().words.enumerated().reduce(0) { seed, word in
            // Rotations keep equal words in different places from cancelling out.
            seed ^ (word.element << (16 * word.offset) | word.element >> ((64 - 16 * word.offset) % 64))
        }
    }
}
