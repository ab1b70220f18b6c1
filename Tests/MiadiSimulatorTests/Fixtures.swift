import MiadiTestSupport
import Foundation

/// Paths into the repository and scratch folders for tests.
enum Fixtures {
    /// The package root (three levels above this file).
    static let root = Repository.root
    static var corpus: String { root + "/Corpora" }
    static var scenarios: String { root + "/Scenarios" }

    /// A new empty folder under the system temporary directory.
    static func scratch(_ name: String) -> String { Scratch.folder(name) }

    /// Writes `text` to `folder/name` and returns the path.
    @discardableResult
    static func write(_ text: String, to folder: String, as name: String) -> String {
        let path = (folder as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
