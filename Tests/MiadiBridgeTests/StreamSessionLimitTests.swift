import MiadiAudio
@testable import MiadiBridge
import Testing

/// A stream's size follows the call's length, never what a client sends: audio ahead of real
/// time closes it, and so does the call's maximum length.
@Suite("stream session limits")
struct StreamSessionLimitTests {
    static func closes(_ driver: SessionDriver) -> [(code: UInt16, reason: String)] {
        driver.log.compactMap { if case .close(let code, let reason) = $0.action { return (code, reason) }; return nil }
    }

    @Test("caller audio more than 3 s ahead of real time closes the stream 1008, traced; up to 3 s of burst is taken")
    func audioFasterThanRealTime() throws {
        var driver = SessionDriver()
        let second = PCMBuffer.interleave(left: PCMBuffer.silence(durationMs: 1000, sampleRate: 16_000), right: PCMBuffer.silence(durationMs: 1000, sampleRate: 16_000))
        // Three seconds in one burst at t = 0 (a platform catching up after a stall): taken.
        for _ in 0..<3 { driver.record(driver.session.binaryReceived(second.littleEndianBytes, nowMs: 0)) }
        #expect(Self.closes(driver).isEmpty)
        #expect(!driver.session.isClosed)
        // Real time catches up; then a flood: the first frame past 3 s ahead closes the stream.
        driver.nowMs = 2000
        for _ in 0..<3 { driver.record(driver.session.binaryReceived(second.littleEndianBytes, nowMs: 2000)) }
        #expect(Self.closes(driver).map(\.code) == [1008])
        #expect(Self.closes(driver).first?.reason == "audio faster than real time")
        #expect(driver.session.isClosed)
        let error = try #require(driver.traces("error").first)
        #expect(error["message"]?.string?.contains("ahead of real time") == true)
        #expect(driver.traces("stream.close").count == 1)
        // What came after the close was not kept: the recording holds 5 s, not 6.
        #expect(driver.session.recording.frameCount <= 5 * 16_000)
        driver.record(driver.session.binaryReceived(second.littleEndianBytes, nowMs: 2020))
        #expect(Self.closes(driver).count == 1)
    }

    @Test("a call that reaches its maximum length is closed 1000, traced, on the beat it is due")
    func maximumCallLength() throws {
        var configuration = BridgeFixtures.config()
        configuration.maximumCallMs = 2000
        var driver = SessionDriver(configuration: configuration)
        driver.idle(ms: 1980)
        #expect(Self.closes(driver).isEmpty)
        driver.idle(ms: 40)
        #expect(Self.closes(driver).map(\.code) == [1000])
        #expect(Self.closes(driver).first?.reason == "the call reached its maximum length")
        #expect(driver.log.contains { if case .ended = $0.action { return true }; return false })
        let error = try #require(driver.traces("error").first)
        #expect(error["message"]?.string == "the call reached its maximum length (2 s): the stream is closed")
    }
}
