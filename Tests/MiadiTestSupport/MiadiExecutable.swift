import Foundation

/// The `miadi` executable SwiftPM built beside the test binary, run as a user runs it: exit
/// codes, standard error and files are what CI and people read.
public enum MiadiExecutable {
    /// What a finished run left.
    public struct Finished: Sendable {
        public let status: Int32
        public let standardError: String
    }

    /// Its path (on Linux the tests are an executable in the build folder; on macOS inside a
    /// bundle: both under `debug` or `release`).
    public static var path: String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !folder.path.hasSuffix("/debug") && !folder.path.hasSuffix("/release") && folder.path != "/" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("miadi").path
    }

    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs `miadi ARGS` from the repository root; `environment` entries override (nil removes).
    public static func run(_ arguments: [String], environment: [String: String?] = [:]) async throws -> Finished {
        let child = process(arguments, environment: environment)
        let errors = Pipe()
        child.standardOutput = FileHandle.nullDevice
        child.standardError = errors
        // Read standard error while the child runs, so a chatty child never blocks on a full
        // pipe; on a thread of its own, not one of the few the whole test process shares.
        let reader = errors.fileHandleForReading
        let collected = Task { await OffPool.run { reader.readDataToEndOfFile() } }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try child.run() } catch { continuation.resume(throwing: error) }
        }
        return Finished(status: status, standardError: String(decoding: await collected.value, as: UTF8.self))
    }

    /// A `miadi` process, not started, from the repository root.
    public static func process(_ arguments: [String], environment: [String: String?] = [:]) -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: path)
        child.arguments = arguments
        child.currentDirectoryURL = URL(fileURLWithPath: Repository.root)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        child.environment = merged
        return child
    }
}
