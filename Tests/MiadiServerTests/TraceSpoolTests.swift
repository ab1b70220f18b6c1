import CMiadiHeap
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

    /// Most calls a hostile client opens end before any event: their spools are empty. Read
    /// back with `FileManager.contents(atPath:)`, each left 4 KiB of heap behind for good
    /// (swift-foundation's empty-file read), 156 MiB for these 40,000: the bound leaves room for
    /// what suites running beside this one hold.
    @Test("an empty spool's call ends with nothing left on the heap")
    func emptySpools() throws {
        let folder = ServerHarness.scratch("spool-empty")
        let before = miadi_heap_in_use()
        for index in 0..<40_000 {
            let spool = try #require(TraceSpool(path: folder + "/CA-\(index).events.jsonl"))
            #expect(spool.finish().isEmpty)
        }
        let grown = miadi_heap_in_use() - before
        #expect(grown < 80 << 20, "40,000 empty spools kept \(grown >> 20) MiB of heap")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
