import NIOCore

/// RFC 6455 frames read from, and written to, a stream's raw bytes, with no I/O.
///
/// Why by hand, when NIO has a WebSocket codec: at 50 frames a second per stream the codec's
/// hops were a fifth of a loaded server (`perf`: the byte-to-message decoder, its parser, a
/// `WebSocketFrame` boxed through three handlers and back, a header buffer per frame sent).
/// A stream's socket now has one handler that reads frames out of the bytes it is given and
/// writes every frame of an event into one buffer: one hop in, one write out. What the codec
/// checked is checked here (frame length, control frames whole and short), and what it left
/// to its user (masking, reserved bits, opcodes) is still the stream handler's to judge.
enum WebSocketWire {
    /// A frame as it came, its payload unmasked.
    struct Frame: Equatable {
        var fin: Bool
        /// The three reserved bits (RSV1–3), as the top bits of the first byte had them.
        var reserved: UInt8
        var opcode: UInt8
        /// Whether the client masked it (RFC 6455 5.1: it must).
        var masked: Bool
        var payload: [UInt8]
    }

    enum Opcode {
        static let continuation: UInt8 = 0x0
        static let text: UInt8 = 0x1
        static let binary: UInt8 = 0x2
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA
    }

    /// Why a stream of bytes is not a stream of frames: the close code to answer with, and why.
    enum ReadError: Error, Equatable {
        /// A frame longer than the reader takes (answered 1009).
        case frameTooLarge(length: UInt64, maximum: Int)
        /// A control frame split in fragments (answered 1002).
        case fragmentedControlFrame
        /// A control frame with more than 125 bytes of payload (answered 1002).
        case controlFrameTooLong(length: UInt64)

        var closeCode: UInt16 {
            if case .frameTooLarge = self { return 1009 }
            return 1002
        }

        var message: String {
            switch self {
            case .frameTooLarge(let length, let maximum): "a frame of \(length) bytes, over \(maximum)"
            case .fragmentedControlFrame: "a control frame in fragments"
            case .controlFrameTooLong(let length): "a control frame of \(length) bytes (at most 125)"
            }
        }
    }

    /// Frames out of bytes as they arrive: a frame may come in pieces over several reads, or
    /// several frames in one.
    struct Reader {
        let maxFrameSize: Int
        /// Bytes of a frame not yet whole (nil: none).
        private var carried: ByteBuffer?

        init(maxFrameSize: Int) { self.maxFrameSize = maxFrameSize }

        /// Hands every whole frame in what has come so far, in order, to `body`. Bytes of a frame
        /// not yet whole are kept for the next call. After an error nothing more may be read.
        mutating func read(_ incoming: inout ByteBuffer, _ body: (Frame) -> Void) throws(ReadError) {
            if var held = carried {
                carried = nil
                held.writeBuffer(&incoming)
                try readFrames(&held, body)
                keep(held)
            } else {
                try readFrames(&incoming, body)
                keep(incoming)
            }
        }

        /// What is left is a frame's beginning: kept in a buffer of its own size (the socket's
        /// read buffer it came in may be many times larger).
        private mutating func keep(_ rest: ByteBuffer) {
            guard rest.readableBytes > 0 else { return }
            var copy = ByteBufferAllocator().buffer(capacity: rest.readableBytes)
            var rest = rest
            copy.writeBuffer(&rest)
            carried = copy
        }

        private func readFrames(_ buffer: inout ByteBuffer, _ body: (Frame) -> Void) throws(ReadError) {
            while let frame = try next(&buffer) { body(frame) }
        }

        private enum Parsed {
            case incomplete
            case frame(Frame, consumed: Int)
            case failed(ReadError)
        }

        /// One whole frame off the front of `buffer`, or nil (nothing consumed) if it is not all there.
        private func next(_ buffer: inout ByteBuffer) throws(ReadError) -> Frame? {
            let available = buffer.readableBytes
            guard available >= 2 else { return nil }
            switch buffer.withUnsafeReadableBytes({ parse($0, available: available) }) {
            case .incomplete:
                return nil
            case .failed(let error):
                throw error
            case .frame(let frame, let consumed):
                buffer.moveReaderIndex(forwardBy: consumed)
                return frame
            }
        }

        private func parse(_ bytes: UnsafeRawBufferPointer, available: Int) -> Parsed {
            let first = bytes[0], second = bytes[1]
            let opcode = first & 0x0F
            let fin = first & 0x80 != 0
            let masked = second & 0x80 != 0
            var header = 2
            var length = UInt64(second & 0x7F)
            if length == 126 {
                guard available >= 4 else { return .incomplete }
                length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
                header = 4
            } else if length == 127 {
                guard available >= 10 else { return .incomplete }
                length = 0
                for i in 2..<10 { length = length << 8 | UInt64(bytes[i]) }
                header = 10
            }
            if opcode & 0x8 != 0 {
                guard fin else { return .failed(.fragmentedControlFrame) }
                guard length <= 125 else { return .failed(.controlFrameTooLong(length: length)) }
            }
            guard length <= UInt64(maxFrameSize) else { return .failed(.frameTooLarge(length: length, maximum: maxFrameSize)) }
            let keyAt = header
            if masked { header += 4 }
            let count = Int(length)
            guard available >= header + count else { return .incomplete }
            let payload: [UInt8]
            if masked {
                let key = UInt32(bytes[keyAt]) | UInt32(bytes[keyAt + 1]) << 8 | UInt32(bytes[keyAt + 2]) << 16 | UInt32(bytes[keyAt + 3]) << 24
                payload = WebSocketWire.unmask(UnsafeRawBufferPointer(rebasing: bytes[header..<(header + count)]), key: key)
            } else {
                payload = Array(bytes[header..<(header + count)])
            }
            return .frame(Frame(fin: fin, reserved: first & 0x70, opcode: opcode, masked: masked, payload: payload), consumed: header + count)
        }
    }

    /// `masked` XORed with the four-byte `key` (its first byte in the low bits), eight bytes at
    /// a time as it is copied out: the mask repeats every four bytes from the payload's first,
    /// so one 64-bit word of it covers eight. (NIO unmasks byte by byte: 7 % of a loaded server.)
    static func unmask(_ masked: UnsafeRawBufferPointer, key: UInt32) -> [UInt8] {
        let count = masked.count
        let word = UInt64(key) | UInt64(key) << 32
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            guard count > 0, let from = masked.baseAddress, let to = out.baseAddress else {
                initialized = 0
                return
            }
            var i = 0
            while i + 8 <= count {
                let bytes = from.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                UnsafeMutableRawPointer(to + i).storeBytes(of: bytes ^ word.littleEndian, as: UInt64.self)
                i += 8
            }
            while i < count {
                to[i] = masked[i] ^ UInt8(truncatingIfNeeded: key >> (UInt32(i & 3) * 8))
                i += 1
            }
            initialized = count
        }
    }

    /// Appends one whole, unmasked frame (a server's frames are never masked) to `buffer`.
    static func append(opcode: UInt8, payload: UnsafeRawBufferPointer, to buffer: inout ByteBuffer) {
        let count = payload.count
        buffer.reserveCapacity(minimumWritableBytes: count + 10)
        buffer.writeInteger(0x80 | opcode)
        if count < 126 {
            buffer.writeInteger(UInt8(count))
        } else if count <= 0xFFFF {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(count))
        }
        buffer.writeBytes(payload)
    }

    static func append(opcode: UInt8, payload: [UInt8], to buffer: inout ByteBuffer) {
        payload.withUnsafeBytes { append(opcode: opcode, payload: $0, to: &buffer) }
    }
}
