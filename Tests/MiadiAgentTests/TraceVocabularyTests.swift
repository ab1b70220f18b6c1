import Foundation
import MiadiAgent
import MiadiJSON
import MiadiTestSupport
import Testing

@Suite struct TraceVocabularyTests {
    @Test func theTraceDocumentNamesEveryEventType() throws {
        let doc = try String(contentsOfFile: Repository.path("Docs/trace.md"), encoding: .utf8)
        let rows = doc.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for type in TraceType.allCases {
            #expect(rows.contains { $0.contains("`\(type.rawValue)`") }, "Docs/trace.md has no row for \(type.rawValue)")
        }
    }

    @Test func aLineReadsBackAsItsType() throws {
        let ended = ShellEvent.callEnded(reason: "hang-up", durationMs: 12_001).line(atMs: 12_001)
        let text = try JSONCoding.encoder(.compact).encode(ended)
        let read = try JSONCoding.decoder().decode(TraceEvent.self, from: text)
        #expect(read.kind == .callEnded)
        #expect(read.is(.callEnded))
        #expect(read["billed_seconds"] == .int(13))
        #expect(TraceEvent(tMs: 0, type: "made.up").kind == nil)
    }

    @Test func aStatusCallbackWithoutAReasonWritesNone() {
        let line = ShellEvent.streamStatus(callSID: "CA1", event: "stream-started", streamName: nil, reason: nil).line(atMs: 40)
        #expect(line.fields.keys.sorted() == ["call_sid", "event", "stream_name"])
        #expect(line["stream_name"] == .null)
    }
}
