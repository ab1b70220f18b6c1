import Foundation
import MiadiAgent

/// A live session's messages both ways, with their time, written as they happen to
/// `<call>.provider.jsonl` beside the call's trace (`--record`): the first line says which
/// provider and model and when in the call the session opened; each later line is one message,
/// `{"t_ms", "dir": "in"|"out", "message"}` with `t_ms` since the session opened. Headers, and
/// so keys, are never written. `ReplayProvider` plays one back.
public final class ProviderLogWriter: Sendable {
    public static let schema = "miadi.provider-log/1"
    private let handle: Locked<FileHandle?>
    private let opened = ContinuousClock.now
    public let path: String

    /// Starts the file; nil (and nothing written) when it cannot be created.
    public init?(path: String, provider: String, model: String, openedAtCallMs: Int) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else { return nil }
        self.path = path
        handle = Locked(file)
        write(["schema": .string(Self.schema), "provider": .string(provider), "model": .string(model), "opened_at_ms": .int(openedAtCallMs)])
    }

    /// One message, `out` (to the provider) or `in` (from it), now.
    public func message(_ message: JSONValue, outgoing: Bool) {
        let elapsed = ContinuousClock.now - opened
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        write(["t_ms": .int(ms), "dir": outgoing ? "out" : "in", "message": message])
    }

    public func close() {
        handle.withLock { file in
            try? file?.close()
            file = nil
        }
    }

    private func write(_ line: JSONValue) {
        let data = Data((line.jsonText + "\n").utf8)
        handle.withLock { file in try? file?.write(contentsOf: data) }
    }
}

/// A provider log read back.
public struct ProviderLog: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let tMs: Int
        public let outgoing: Bool
        public let message: JSONValue
    }

    public let provider: String
    public let model: String
    public let openedAtMs: Int
    public let entries: [Entry]

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case bad(file: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let file): return "\(file): cannot be read"
            case .bad(let file, let line, let reason): return "\(file):\(line): \(reason)"
            }
        }
    }

    public static func load(path: String) throws(ReadError) -> ProviderLog {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, let header = JSONValue.parse(first), header["schema"]?.string == ProviderLogWriter.schema else {
            throw .bad(file: path, line: 1, reason: "not a provider log (\(ProviderLogWriter.schema))")
        }
        guard let provider = header["provider"]?.string, let model = header["model"]?.string, let opened = header["opened_at_ms"]?.int else {
            throw .bad(file: path, line: 1, reason: "the header needs provider, model and opened_at_ms")
        }
        var entries: [Entry] = []
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let value = JSONValue.parse(line), let t = value["t_ms"]?.int, let dir = value["dir"]?.string, ["in", "out"].contains(dir), let message = value["message"] else {
                throw .bad(file: path, line: index + 1, reason: "each line needs t_ms, dir (in or out) and message")
            }
            entries.append(Entry(tMs: t, outgoing: dir == "out", message: message))
        }
        return ProviderLog(provider: provider, model: model, openedAtMs: opened, entries: entries)
    }
}
