import Foundation
import MiadiAudio
import MiadiLoad
import MiadiTestSupport
import Testing

@Suite("miadi bench bridge: the load generator against a real miadi serve", .tags(.sockets, .executable))
struct BridgeLoadTests {
    /// The bench's caller: a real corpus line, looped with quiet between.
    static func line() throws -> CallerLine {
        CallerLine(clip: try AudioFile.read(Repository.path("Corpora/en/5d3ce16ee18bfb5f.flac")), sampleRate: 16_000)
    }

    @Test("three streams through the webhook, the ticket and the handshake run their length, and each utterance is echoed back", .timeLimit(.minutes(1)))
    func cleanStreams() async throws {
        let server = try await OffPool.run { try BenchServer(kind: .miadi, root: Repository.root, executable: MiadiExecutable.path) }
        defer { server.stop() }
        let outcome = await BridgeLoad.run(target: server.target, options: .init(streams: 3, seconds: 8, rampSeconds: 0.5), line: try Self.line())
        #expect(outcome.started == 3)
        #expect(outcome.clean == 3, "\(outcome.firstError ?? "")")
        #expect(outcome.failedWebhook + outcome.failedHandshake + outcome.dropped == 0)
        // The caller speaks 0.5 s into each 6 s loop: each stream hears its utterance said back.
        #expect(outcome.replies >= 3)
        #expect(outcome.framesReceived > 0)
        #expect(outcome.marksReceived > 0)
        #expect(outcome.underruns == 0)
        #expect(outcome.replyP50Ms != nil)
        #expect(outcome.serverCPUPercent != nil)
        #expect(outcome.residentLoaded != nil)
    }

    @Test("a wrong token is a failed handshake, counted and named, not a clean stream", .timeLimit(.minutes(1)))
    func refusedHandshake() async throws {
        let server = try await OffPool.run { try BenchServer(kind: .miadi, root: Repository.root, executable: MiadiExecutable.path) }
        defer { server.stop() }
        var target = server.target
        target.webhookPath = nil
        target.token = "not-the-ticket"
        let outcome = await BridgeLoad.run(target: target, options: .init(streams: 2, seconds: 2, rampSeconds: 0), line: try Self.line())
        #expect(outcome.clean == 0)
        #expect(outcome.failedHandshake == 2)
        #expect(outcome.firstError?.contains("401") == true, "\(outcome.firstError ?? "")")
        #expect(!outcome.isClean)
    }

    @Test("nothing listening: every stream fails to connect, and the run still ends")
    func nothingListening() async throws {
        var target = BridgeLoad.Target(port: 1, webhookPath: "/voice")
        target.host = "127.0.0.1"
        let outcome = await BridgeLoad.run(target: target, options: .init(streams: 2, seconds: 2, rampSeconds: 0), line: try Self.line())
        #expect(outcome.clean == 0)
        #expect(outcome.failedWebhook == 2)
        #expect(outcome.firstError != nil)
    }

    @Test("the caller's loop: half a second of quiet, the utterance, then quiet twice its length (six seconds at least); its end is where replies are timed from")
    func callerLine() throws {
        let clip = try AudioFile.read(Repository.path("Corpora/en/5d3ce16ee18bfb5f.flac"))
        let line = CallerLine(clip: clip, sampleRate: 16_000)
        #expect(line.samples.count == max(96_000, 8_000 + 3 * clip.frameCount))
        #expect(line.utteranceEnds == [UInt32(8_000 + clip.frameCount)])
        #expect(line.samples[..<8_000].allSatisfy { $0 == 0 })
        #expect(Array(line.samples[8_000..<(8_000 + clip.frameCount)]) == clip.samples)
    }
}

@Suite("miadi bench bridge: the peers answer the platform as Miadi does", .tags(.sockets))
struct BenchPeerTests {
    @Test("the Node ws and Python websockets echo bridges take the handshake, the metadata and the frames, and say each utterance back with its end mark",
          .timeLimit(.minutes(1)), arguments: [BenchServer.Kind.node, .python])
    func peerEchoes(kind: BenchServer.Kind) async throws {
        let server = try await OffPool.run { try BenchServer(kind: kind, root: Repository.root) }
        defer { server.stop() }
        let outcome = await BridgeLoad.run(target: server.target, options: .init(streams: 2, seconds: 8, rampSeconds: 0.5), line: try BridgeLoadTests.line())
        #expect(outcome.clean == 2, "\(outcome.firstError ?? "")")
        #expect(outcome.replies >= 2)
        #expect(outcome.marksReceived >= 2)
        #expect(outcome.underruns == 0)
    }

    @Test("a peer refuses a wrong token with 401, as Miadi does", .timeLimit(.minutes(1)), arguments: [BenchServer.Kind.node, .python])
    func peerRefuses(kind: BenchServer.Kind) async throws {
        let server = try await OffPool.run { try BenchServer(kind: kind, root: Repository.root) }
        defer { server.stop() }
        var target = server.target
        target.token = "wrong"
        let outcome = await BridgeLoad.run(target: target, options: .init(streams: 1, seconds: 2, rampSeconds: 0), line: try BridgeLoadTests.line())
        #expect(outcome.failedHandshake == 1)
        #expect(outcome.firstError?.contains("401") == true, "\(outcome.firstError ?? "")")
    }
}
