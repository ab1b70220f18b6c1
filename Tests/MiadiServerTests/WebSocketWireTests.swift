import MiadiAudio
import NIOCore
import Testing
@testable import MiadiServer

/// The stream's own WebSocket framing (`WebSocketWire`), byte for byte against RFC 6455.
@Suite("WebSocket frames read and written by hand")
struct WebSocketWireTests {
    /// A client's frame, masked with `key`, as RFC 6455 5.2 lays it out.
    static func clientFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, reserved: UInt8 = 0, key: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D]) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | reserved | opcode]
        let maskBit: UInt8 = key == nil ? 0 : 0x80
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        if let key {
            bytes += key
            bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        } else {
            bytes += payload
        }
        return bytes
    }

    /// Every frame `reader` reads from `bytes`, handed over in pieces of the given sizes.
    static func read(_ bytes: [UInt8], pieces: [Int], maxFrameSize: Int = 1 << 20) throws -> [WebSocketWire.Frame] {
        var reader = WebSocketWire.Reader(maxFrameSize: maxFrameSize)
        var frames: [WebSocketWire.Frame] = []
        var at = 0
        var sizes = pieces.makeIterator()
        while at < bytes.count {
            let size = min(bytes.count - at, max(1, sizes.next() ?? bytes.count))
            var buffer = ByteBuffer(bytes: bytes[at..<(at + size)])
            try reader.read(&buffer) { frames.append($0) }
            at += size
        }
        return frames
    }

    @Test("the RFC's example: a masked \"Hello\" text frame")
    func rfcExample() throws {
        // RFC 6455 5.7: 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58 contains "Hello".
        let frames = try Self.read([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58], pieces: [])
        #expect(frames == [WebSocketWire.Frame(fin: true, reserved: 0, opcode: 1, masked: true, payload: Array("Hello".utf8))])
    }

    @Test("frames of every length form read the same, whatever pieces the bytes come in")
    func piecesDoNotMatter() throws {
        var generator = SeededGenerator(seed: 17)
        let payloads: [[UInt8]] = [[], [1], Array(0..<125), Array(repeating: 7, count: 126), (0..<1280).map { UInt8($0 & 0xFF) },
                                   (0..<70_000).map { UInt8(($0 * 31) & 0xFF) }]
        var stream: [UInt8] = []
        var expected: [WebSocketWire.Frame] = []
        for (index, payload) in payloads.enumerated() {
            let key: [UInt8] = [UInt8(index), 0xA5, 0x5A, 0xFF]
            stream += Self.clientFrame(opcode: 2, payload: payload, key: key)
            expected.append(.init(fin: true, reserved: 0, opcode: 2, masked: true, payload: payload))
        }
        #expect(try Self.read(stream, pieces: []) == expected)
        #expect(try Self.read(stream, pieces: Array(repeating: 1, count: 200)) == expected)
        for _ in 0..<20 {
            let pieces = (0..<40).map { _ in Int.random(in: 1...3000, using: &generator) }
            #expect(try Self.read(stream, pieces: pieces) == expected, "pieces \(pieces)")
        }
    }

    @Test("unmasking eight bytes at a time gives what byte by byte gives, at every length and alignment")
    func unmaskMatchesBytewise() {
        let key: [UInt8] = [0x01, 0x80, 0xFE, 0x3C]
        let keyWord = UInt32(key[0]) | UInt32(key[1]) << 8 | UInt32(key[2]) << 16 | UInt32(key[3]) << 24
        let source = (0..<64).map { UInt8(($0 * 37 + 11) & 0xFF) }
        for start in 0..<9 {
            for count in 0...(source.count - start) {
                let slice = Array(source[start..<(start + count)])
                let fast = slice.withUnsafeBytes { WebSocketWire.unmask($0, key: keyWord) }
                #expect(fast == slice.enumerated().map { $0.element ^ key[$0.offset % 4] }, "start \(start), count \(count)")
            }
        }
    }

    @Test("a frame's reserved bits, its fin and the absence of a mask are reported as they came")
    func flagsAsTheyCame() throws {
        let frames = try Self.read(Self.clientFrame(opcode: 1, payload: [0x61], fin: false, reserved: 0x40, key: nil), pieces: [])
        #expect(frames == [WebSocketWire.Frame(fin: false, reserved: 0x40, opcode: 1, masked: false, payload: [0x61])])
    }

    @Test("a frame over the limit, a control frame in fragments or over 125 bytes are refused before their payload")
    func refusals() {
        let big = Self.clientFrame(opcode: 2, payload: Array(repeating: 0, count: 2000))
        #expect(throws: WebSocketWire.ReadError.frameTooLarge(length: 2000, maximum: 1000)) { try Self.read(Array(big.prefix(8)), pieces: [], maxFrameSize: 1000) }
        #expect(WebSocketWire.ReadError.frameTooLarge(length: 2000, maximum: 1000).closeCode == 1009)
        #expect(throws: WebSocketWire.ReadError.fragmentedControlFrame) { try Self.read(Self.clientFrame(opcode: 9, payload: [], fin: false), pieces: []) }
        let longPing = Self.clientFrame(opcode: 9, payload: Array(repeating: 1, count: 126))
        #expect(throws: WebSocketWire.ReadError.controlFrameTooLong(length: 126)) { try Self.read(longPing, pieces: []) }
        // A 64-bit length with its top bit set is no length at all, and is refused, not trapped on.
        let absurd: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: WebSocketWire.ReadError.frameTooLarge(length: 1 << 63, maximum: 1 << 20)) { try Self.read(absurd, pieces: []) }
        let absurdPing: [UInt8] = [0x89, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: WebSocketWire.ReadError.controlFrameTooLong(length: 0xFF00_0000_0000_0000)) { try Self.read(absurdPing, pieces: []) }
    }

    @Test("frames written are unmasked, final, with the shortest length form, and read back whole")
    func written() throws {
        for count in [0, 5, 125, 126, 1280, 65_535, 65_536] {
            let payload = (0..<count).map { UInt8(($0 * 13) & 0xFF) }
            var buffer = ByteBuffer()
            WebSocketWire.append(opcode: 2, payload: payload, to: &buffer)
            let header = count < 126 ? 2 : count <= 0xFFFF ? 4 : 10
            #expect(buffer.readableBytes == header + count)
            #expect(buffer.getInteger(at: 0, as: UInt8.self) == 0x82)
            let frames = try Self.read(buffer.getBytes(at: 0, length: buffer.readableBytes) ?? [], pieces: [])
            #expect(frames == [WebSocketWire.Frame(fin: true, reserved: 0, opcode: 2, masked: false, payload: payload)])
        }
    }

    @Test("the handshake's accept value is the RFC's for its sample key")
    func acceptValue() {
        // RFC 6455 1.3.
        #expect(StreamUpgrader<Int>.acceptValue(key: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }
}
