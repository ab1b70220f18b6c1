import Foundation
import MiadiAgent
@testable import MiadiServer
import Testing

@Suite("Trace spool")
struct TraceSpoolTests {
    @Test("events are on disk as they happen (a crash keeps them), read back in order once, and the spool removed")
    func spool() throws {
        let path = ServerHarness.scratch("spool") + "/CA-1.events.jsonl"
        let spool = try #require(TraceSpool(path: path))
        spool.append(TraceEvent(tMs: 20, type: .mark, fields: ["name": "agent-1-end", "event": "sent"]))
        spool.append(TraceEvent(tMs: 640, type: .transcriptIn, fields: ["text": "Mm-hmm."]))
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk.split(separator: "\n").count == 2, "written before the call ends")
        #expect(onDisk.contains(#""text":"Mm-hmm.""#))
        #expect(spool.lastMs == 640)
        let events = spool.finish()
        #expect(events.map(\.tMs) == [20, 640])
        #expect(events.last?["text"] == "Mm-hmm.")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
