import Foundation
import SwiftTorchCore

/// Logs scalars, histograms, images and text for TensorBoard, as PyTorch's
/// `torch.utils.tensorboard.SummaryWriter` does, with its method names: point
/// `tensorboard --logdir runs` at the parent folder to watch a run.
///
/// Events are queued and written `maxQueue` at a time, on ``flush()`` and on ``close()``
/// (and when the writer is released). A writer is meant for one thread at a time.
///
/// <!-- snippet: summary-writer -->
/// ```swift
/// let writer = try SummaryWriter(logDir: logDir)
/// for step in 0..<3 {
///     try writer.addScalar("loss/train", 1.0 / Double(step + 1), globalStep: step)
/// }
/// try writer.addHistogram("weights", try Tensor.randn([100]), globalStep: 2)
/// try writer.addText("notes", "a **markdown** note", globalStep: 2)
/// try writer.close()
/// ```
public final class SummaryWriter {
    /// The folder the event files go to.
    public let logDir: URL
    private let file: EventFileWriter
    private let maxQueue: Int
    /// The writers of ``addScalars(_:_:globalStep:walltime:)``, one per sub-folder.
    private var scalarWriters: [String: EventFileWriter] = [:]

    /// A writer into `logDir`, or, by default, into `runs/<date>_<host><comment>` in the
    /// current folder (`runs/Dec04_05-12-00_myhost`), as PyTorch names it. The folder is
    /// made if needed; the event file is created at once, so TensorBoard sees the run.
    public init(logDir: URL? = nil, comment: String = "", maxQueue: Int = 10, filenameSuffix: String = "") throws {
        self.logDir = logDir ?? URL(fileURLWithPath: "runs").appendingPathComponent(SummaryWriter.defaultRunName(comment: comment))
        self.maxQueue = maxQueue
        file = try EventFileWriter(folder: self.logDir, maxQueue: maxQueue, suffix: filenameSuffix)
    }

    /// PyTorch's default run name: the local time as `Dec04_05-12-00`, the host name and `comment`.
    static func defaultRunName(comment: String, date: Date = Date()) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "MMMdd_HH-mm-ss"
        return "\(format.string(from: date))_\(ProcessInfo.processInfo.hostName)\(comment)"
    }

    /// The event file written (``addScalars(_:_:globalStep:walltime:)`` writes others, in sub-folders).
    public var eventFile: URL { file.url }

    /// Logs `value` under `tag` (`"loss/train"`) at `globalStep`.
    public func addScalar(_ tag: String, _ value: Double, globalStep: Int? = nil, walltime: Double? = nil) throws {
        try file.add(event(step: globalStep, walltime: walltime, scalar(tag, value)))
    }

    /// Logs a one-element tensor's value under `tag` (a loss, say).
    public func addScalar(_ tag: String, _ value: Tensor, globalStep: Int? = nil, walltime: Double? = nil) throws {
        guard value.count == 1 else {
            throw TorchError(.invalidArgument, "SummaryWriter.addScalar('\(tag)'): a scalar needs a one-element tensor, got \(value.dtype)\(describe(shape: value.shape))")
        }
        try addScalar(tag, value.item(), globalStep: globalStep, walltime: walltime)
    }

    /// Logs several scalars as one chart, as PyTorch does: each goes to its own event file in
    /// the sub-folder `<mainTag>_<key>` of the log folder, under the tag `mainTag`.
    public func addScalars(_ mainTag: String, _ values: [String: Double], globalStep: Int? = nil, walltime: Double? = nil) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let folder = mainTag.replacingOccurrences(of: "/", with: "_") + "_" + key
            if scalarWriters[folder] == nil {
                scalarWriters[folder] = try EventFileWriter(folder: logDir.appendingPathComponent(folder), maxQueue: maxQueue)
            }
            try scalarWriters[folder]!.add(event(step: globalStep, walltime: walltime, scalar(mainTag, value)))
        }
    }

    /// Logs the distribution of `values`' elements, bucketed by `bins`.
    public func addHistogram(_ tag: String, _ values: Tensor, globalStep: Int? = nil, bins: HistogramBins = .tensorflow,
                             walltime: Double? = nil) throws {
        var value = Tensorboard_Summary.Value()
        value.tag = tag
        value.histo = try makeHistogram(values.detach().toArray(of: Double.self), bins: bins, tag: tag)
        try file.add(event(step: globalStep, walltime: walltime, value))
    }

    /// Logs `text` (Markdown) for TensorBoard's text tab, under `<tag>/text_summary` as PyTorch does.
    public func addText(_ tag: String, _ text: String, globalStep: Int? = nil, walltime: Double? = nil) throws {
        var value = Tensorboard_Summary.Value()
        value.tag = tag + "/text_summary"
        value.metadata.pluginData.pluginName = "text"
        var tensor = Tensorboard_TensorProto()
        tensor.dtype = .dtString
        tensor.stringVal = [Data(text.utf8)]
        var dim = Tensorboard_TensorShapeProto.Dim()
        dim.size = 1
        tensor.tensorShape.dim = [dim]
        value.tensor = tensor
        try file.add(event(step: globalStep, walltime: walltime, value))
    }

    /// Logs an image, PNG-encoded. `image` is laid out as `dataFormats` says: `"CHW"`,
    /// `"HWC"` or `"HW"`, with 1, 3 or 4 channels (a single channel is shown as gray RGB, as
    /// in PyTorch). Floating-point samples are taken as 0...1 and scaled by 255; integer and
    /// bool samples as 0...255 (SwiftTorch has no uint8). Samples are clipped to 0...255.
    public func addImage(_ tag: String, _ image: Tensor, globalStep: Int? = nil, dataFormats: String = "CHW",
                         walltime: Double? = nil) throws {
        var value = Tensorboard_Summary.Value()
        value.tag = tag
        value.image = try encodedImage(image, dataFormats: dataFormats, tag: tag)
        try file.add(event(step: globalStep, walltime: walltime, value))
    }

    /// Writes every queued event to disk.
    public func flush() throws {
        try file.flush()
        for writer in scalarWriters.values { try writer.flush() }
    }

    /// Writes what is queued and closes the files; logging after this throws.
    public func close() throws {
        try file.close()
        for writer in scalarWriters.values { try writer.close() }
    }

    private func event(step: Int?, walltime: Double?, _ value: Tensorboard_Summary.Value) -> Tensorboard_Event {
        var event = Tensorboard_Event()
        event.wallTime = walltime ?? Date().timeIntervalSince1970
        event.step = Int64(step ?? 0)
        event.summary.value = [value]
        return event
    }

    private func scalar(_ tag: String, _ number: Double) -> Tensorboard_Summary.Value {
        var value = Tensorboard_Summary.Value()
        value.tag = tag
        value.simpleValue = Float(number)
        return value
    }
}

/// `image` as a TensorBoard image: PNG samples in rows of pixels, 3 or 4 channels.
private func encodedImage(_ image: Tensor, dataFormats: String, tag: String) throws -> Tensorboard_Summary.Image {
    let op = "SummaryWriter.addImage('\(tag)')"
    let shape = image.shape
    let (channels, height, width): (Int, Int, Int)
    switch (dataFormats, shape.count) {
    case ("CHW", 3): (channels, height, width) = (shape[0], shape[1], shape[2])
    case ("HWC", 3): (channels, height, width) = (shape[2], shape[0], shape[1])
    case ("HW", 2): (channels, height, width) = (1, shape[0], shape[1])
    default:
        throw TorchError(.invalidArgument, "\(op): dataFormats '\(dataFormats)' (CHW, HWC or HW) does not fit a tensor of shape \(describe(shape: shape))")
    }
    guard [1, 3, 4].contains(channels), height > 0, width > 0 else {
        throw TorchError(.invalidArgument, "\(op): an image of shape \(describe(shape: shape)) (\(dataFormats)) needs 1, 3 or 4 channels and at least one pixel; it has \(channels) channels of \(height)x\(width)")
    }
    // Rows of pixels, channels interleaved, whatever the layout in.
    let hwc = dataFormats == "CHW" ? try image.detach().permute([1, 2, 0]) : image.detach()
    let scale = image.dtype.isFloatingPoint ? 255.0 : 1.0
    // Truncated after clipping, as PyTorch's `astype(np.uint8)` does.
    var samples = try hwc.toArray(of: Double.self).map { UInt8(Swift.min(Swift.max(($0 * scale).isNaN ? 0 : $0 * scale, 0), 255)) }
    var colors = channels
    if channels == 1 {
        samples = samples.flatMap { [$0, $0, $0] }
        colors = 3
    }
    var out = Tensorboard_Summary.Image()
    out.height = Int32(height)
    out.width = Int32(width)
    out.colorspace = Int32(colors)
    out.encodedImageString = Data(try PNGEncoder.encode(width: width, height: height, channels: colors, pixels: samples))
    return out
}
