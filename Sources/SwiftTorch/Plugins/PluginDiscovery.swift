import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where plugins are looked for: `SWIFTTORCH_PLUGIN_PATH` (colon-separated files or
/// folders, relative ones against the current folder), then the executable's folder, then the folder of the image that holds this
/// library (for SwiftPM builds both are `.build/<config>/`). In a folder, every
/// `libswifttorch_<name>.so` is a plugin; the first file of a name wins.
enum PluginDiscovery {
    static let filePrefix = "libswifttorch_"
    #if canImport(Darwin)
    static let fileSuffix = ".dylib"
    #else
    static let fileSuffix = ".so"
    #endif
    /// Plugins SwiftTorch knows by name: when absent, they are reported as not found.
    static let expected = ["cuda"]

    struct Search {
        /// Files to load, in order.
        var files: [(name: String, path: String)] = []
        /// Explicit paths that do not exist, and expected plugins found nowhere.
        var missing: [PluginRecord] = []
    }

    /// The plugin file name for `name` (`cuda` → `libswifttorch_cuda.so`).
    static func fileName(_ name: String) -> String { filePrefix + name + fileSuffix }

    /// The plugin name a file implies, or nil for files that are not plugins.
    static func pluginName(fileName: String) -> String? {
        guard fileName.hasPrefix(filePrefix), fileName.hasSuffix(fileSuffix) else { return nil }
        let name = fileName.dropFirst(filePrefix.count).dropLast(fileSuffix.count)
        return name.isEmpty ? nil : String(name)
    }

    static func search(environment: [String: String]) -> Search {
        var result = Search()
        var folders: [String] = []
        let fm = FileManager.default
        func addFolder(_ path: String) {
            let standard = (path as NSString).standardizingPath
            if !folders.contains(standard) { folders.append(standard) }
        }
        func addFile(_ path: String) {
            let file = (path as NSString).lastPathComponent
            let name = pluginName(fileName: file) ?? (file as NSString).deletingPathExtension
            if !result.files.contains(where: { $0.name == name }) { result.files.append((name, path)) }
        }
        // Relative entries are made absolute here, so the file checked is the file loaded.
        let entries = (environment["SWIFTTORCH_PLUGIN_PATH"] ?? "").split(separator: ":").map { PluginLoader.absolutePath(String($0)) }
        for entry in entries {
            var isFolder: ObjCBool = false
            if fm.fileExists(atPath: entry, isDirectory: &isFolder) {
                if isFolder.boolValue { addFolder(entry) } else { addFile(entry) }
            } else {
                let name = pluginName(fileName: (entry as NSString).lastPathComponent) ?? entry
                result.missing.append(PluginRecord(name: name, path: entry, status: .notFound(tried: [entry])))
            }
        }
        if let dir = executableFolder() { addFolder(dir) }
        if let dir = libraryFolder() { addFolder(dir) }
        for folder in folders {
            let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
            for file in names.sorted() where pluginName(fileName: file) != nil {
                addFile(folder + "/" + file)
            }
        }
        for name in expected where !result.files.contains(where: { $0.name == name })
            && !result.missing.contains(where: { $0.name == name }) {
            let tried = folders.map { $0 + "/" + fileName(name) }
            result.missing.append(PluginRecord(name: name, path: tried.first ?? fileName(name), status: .notFound(tried: tried)))
        }
        return result
    }

    /// The folder of the running executable.
    static func executableFolder() -> String? {
        #if os(Linux)
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return (exe as NSString).deletingLastPathComponent
        }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The folder of the image (executable or shared library) that contains this code.
    static func libraryFolder() -> String? {
        let anchor: @convention(c) () -> Void = {}
        let address = UInt(bitPattern: unsafeBitCast(anchor, to: UnsafeRawPointer.self))
        guard let path = imagePath(containing: address) else { return nil }
        return (URL(fileURLWithPath: path).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent
    }

    #if os(Linux)
    /// The file mapped at `address`, from /proc/self/maps (Glibc's module hides `dladdr`).
    private static func imagePath(containing address: UInt) -> String? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            // "start-end perms offset dev inode path"
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16),
                  let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  start <= address, address < end else { continue }
            let path = fields[5].trimmingCharacters(in: .whitespaces)
            return path.hasPrefix("/") ? path : nil
        }
        return nil
    }
    #else
    private static func imagePath(containing address: UInt) -> String? {
        var info = Dl_info()
        guard dladdr(UnsafeRawPointer(bitPattern: address), &info) != 0, let file = info.dli_fname else { return nil }
        return String(cString: file)
    }
    #endif
}
