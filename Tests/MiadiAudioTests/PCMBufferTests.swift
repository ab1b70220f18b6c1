import MiadiAudio
import Testing

@Suite("PCMBuffer")
struct PCMBufferTests {
    @Test("interleaves two mono tracks and splits them back")
    func interleaveRoundTrip() {
        let left = PCMBuffer(samples: [1, 2, 3], sampleRate: 16000)
        let right = PCMBuffer(samples: [-1, -2], sampleRate: 16000)
        let stereo = PCMBuffer.interleave(left: left, right: right)
        #expect(stereo.samples == [1, -1, 2, -2, 3, 0])
        #expect(stereo.channels == 2 && stereo.frameCount == 3)
        let (l, r) = stereo.deinterleave()
        #expect(l.samples == [1, 2, 3])
        #expect(r.samples == [-1, -2, 0])
    }

    @Test("wire bytes are 16-bit little-endian signed")
    func littleEndianBytes() {
        let buffer = PCMBuffer(samples: [0x0102, -2, .max, .min], sampleRate: 8000)
        #expect(buffer.littleEndianBytes == [0x02, 0x01, 0xFE, 0xFF, 0xFF, 0x7F, 0x00, 0x80])
        #expect(PCMBuffer(littleEndianBytes: buffer.littleEndianBytes, sampleRate: 8000) == buffer)
    }

    @Test("float conversion rounds and clips")
    func floatConversion() {
        let buffer = PCMBuffer(floatSamples: [0, 0.5, -0.5, 1.5, -1.5, 1.0 / 32768 * 0.6], sampleRate: 16000)
        #expect(buffer.samples == [0, 16384, -16384, 32767, -32768, 1])
        #expect(PCMBuffer(samples: [16384], sampleRate: 16000).floatSamples() == [0.5])
    }

    @Test("mixing adds with gain and clips instead of wrapping")
    func mixing() {
        let a = PCMBuffer(samples: [30000, -30000, 100], sampleRate: 16000)
        let b = PCMBuffer(samples: [10000, -10000], sampleRate: 16000)
        let mixed = a.mixed(with: b)
        #expect(mixed.samples == [32767, -32768, 100])
        let offset = a.mixed(with: b, gain: 0.5, selfGain: 0, offsetFrames: 2)
        #expect(offset.samples == [0, 0, 5000, -5000])
        #expect(a.scaled(by: 2).samples == [32767, -32768, 200])
    }

    @Test("20 ms packets: 320 frames at 16 kHz, 160 at 8 kHz, a short tail")
    func packets() {
        let wide = PCMBuffer.silence(durationMs: 50, sampleRate: 16000)
        #expect(wide.packets20ms().map(\.frameCount) == [320, 320, 160])
        let narrowStereo = PCMBuffer.silence(durationMs: 40, sampleRate: 8000, channels: 2)
        #expect(narrowStereo.packets20ms().map(\.samples.count) == [320, 320])
        #expect(wide.durationMs == 50)
    }

    @Test("level in dBFS of a full-scale square wave is 0 and of silence is -infinity")
    func levels() {
        let square = PCMBuffer(samples: (0..<160).map { $0 % 2 == 0 ? 32767 : -32768 }, sampleRate: 8000)
        #expect(abs(square.dbfs) < 0.01)
        #expect(PCMBuffer.silence(durationMs: 10, sampleRate: 8000).dbfs == -.infinity)
    }

    @Test("silence trimming keeps the speech and a pad")
    func trimming() {
        var buffer = PCMBuffer.silence(durationMs: 200, sampleRate: 16000)
        buffer.append(PCMBuffer(samples: (0..<1600).map { Int16(8000 * sin(Double($0) * 0.3)) }, sampleRate: 16000))
        buffer.append(.silence(durationMs: 300, sampleRate: 16000))
        let trimmed = buffer.trimmingSilence(paddingMs: 30)
        #expect(abs(trimmed.durationMs - 160) <= 10)
    }
}

import Foundation

@Suite("PCMByteAssembler")
struct PCMByteAssemblerTests {
    @Test("a sample split across two frames is reassembled")
    func splitSample() {
        var assembler = PCMByteAssembler(sampleRate: 16000, channels: 1)
        let first = assembler.append([0x01, 0x00, 0x02])
        #expect(first.samples == [1])
        #expect(assembler.pendingByteCount == 1)
        let second = assembler.append([0x00, 0x03, 0x00])
        #expect(second.samples == [2, 3])
        #expect(assembler.pendingByteCount == 0)
    }

    @Test("a stereo frame split between left and right waits for its right sample")
    func splitStereo() {
        var assembler = PCMByteAssembler(sampleRate: 16000, channels: 2)
        #expect(assembler.append([0x0A, 0x00]).isEmpty)
        let out = assembler.append([0x0B, 0x00, 0x0C, 0x00])
        #expect(out.samples == [10, 11])
        #expect(assembler.pendingByteCount == 2)
    }

    @Test("a batched backlog becomes many frames and a zero-length flush yields nothing")
    func batchedAndFlush() {
        var assembler = PCMByteAssembler(sampleRate: 16000, channels: 2)
        let backlog = PCMBuffer(samples: [Int16](repeating: 7, count: 1280 / 2 * 5), sampleRate: 16000, channels: 2)
        let out = assembler.append(backlog.littleEndianBytes)
        #expect(out.frameCount == 1600)
        #expect(assembler.append([UInt8]()).isEmpty)
    }
}
