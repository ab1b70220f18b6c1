import Foundation

/// Where the repository is, for tests that read its bundled files (scenarios, clinics, corpora).
public enum Repository {
    /// The folder that holds `Package.swift`.
    public static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A path inside the repository.
    public static func path(_ relative: String) -> String { root + "/" + relative }
}

/// Scratch folders for one test: unique per process and name, under the system's temporary
/// folder, created on the spot.
public enum Scratch {
    public static func folder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("miadi-test-\(ProcessInfo.processInfo.processIdentifier)-\(name)-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
