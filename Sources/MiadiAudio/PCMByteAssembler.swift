/// Turns Sautikit binary frames, which are a byte stream, into whole sample frames.
///
/// The platform usually sends 20 ms per WebSocket frame, but after back-pressure it sends a
/// backlog in one frame, and a frame may end in the middle of a sample (or, for stereo, between
/// the left and right sample). The assembler carries the incomplete tail over to the next call,
/// so no byte is lost and no sample is misaligned. A zero-length frame (the platform's flush
/// before a graceful stop) yields nothing.
public struct PCMByteAssembler: Sendable {
    public let sampleRate: Int
    public let channels: Int
    private var carry: [UInt8] = []

    public init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Bytes held back because they do not yet make a whole sample frame.
    public var pendingByteCount: Int { carry.count }

    /// Feeds one binary frame; returns the whole sample frames it completes (possibly none).
    public mutating func append(_ bytes: some Collection<UInt8>) -> PCMBuffer {
        let frameBytes = 2 * channels
        if carry.isEmpty, bytes.count % frameBytes == 0 {
            // The usual frame, whole samples and nothing carried: read straight from it.
            return PCMBuffer(littleEndianBytes: bytes, sampleRate: sampleRate, channels: channels)
        }
        carry.append(contentsOf: bytes)
        let whole = carry.count - carry.count % frameBytes
        let buffer = PCMBuffer(littleEndianBytes: carry[0..<whole], sampleRate: sampleRate, channels: channels)
        carry.removeFirst(whole)
        return buffer
    }
}
