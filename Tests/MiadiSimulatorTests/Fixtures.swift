import Foundation

/// Paths into the repository and scratch folders for tests.
enum Fixtures {
    /// The package root (three levels above this file).
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var corpus: String { root + "/Corpora" }
    static var scenarios: String { root + "/Scenarios" }

    /// A new empty folder under the system temporary directory.
    static func scratch(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("miadi-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `folder/name` and returns the path.
    @discardableResult
    static func write(_ text: String, to folder: String, as name: String) -> String {
        let path = (folder as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
