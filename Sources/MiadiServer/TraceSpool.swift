import Foundation
import MiadiAgent
import MiadiJSON

/// A live call's trace events, appended to `<call>.events.jsonl` as they happen rather than
/// kept in memory to the end: a long call costs no more per second than a short one, and a
/// crash leaves every event so far on disk. When the call ends, `StreamConnection.finish`
/// reads them back once, writes the trace file with its header, and removes the spool.
final class TraceSpool {
    let path: String
    private var handle: FileHandle?
    private let encoder = JSONCoding.encoder()
    /// The latest event time written, ms (the call's length as its events say).
    private(set) var lastMs = 0
    /// Whether any event was written: an empty spool is not read back at all.
    private var written = false

    /// Starts an empty spool; nil when the file cannot be created.
    init?(path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.path = path
        self.handle = handle
    }

    func append(_ event: TraceEvent) {
        lastMs = max(lastMs, event.tMs)
        guard let handle, var line = try? encoder.encode(event) else { return }
        line.append(0x0A)
        try? handle.write(contentsOf: line)
        written = true
    }

    /// The events written, in order, and the spool closed and removed.
    func finish() -> [TraceEvent] {
        try? handle?.close()
        handle = nil
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Read through a FileHandle, not `FileManager.contents(atPath:)` or `Data(contentsOf:)`:
        // swift-foundation (6.3) leaks the 4 KiB buffer those allocate for every empty file
        // they read, and most fuzzed calls end with an empty spool (heaptrack: +3.5 MiB of heap
        // per 10,000 such calls, never returned).
        guard written, let reader = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? reader.close() }
        guard let data = try? reader.readToEnd() else { return [] }
        let decoder = JSONCoding.decoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(TraceEvent.self, from: Data($0)) }
    }
}
