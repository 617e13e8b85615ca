/// The library's version.
public enum SwiftTorchVersion {
    public static let string = "0.1.0"
}
