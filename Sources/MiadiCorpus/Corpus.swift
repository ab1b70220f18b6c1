import Crypto
import Foundation
import MiadiJSON
import MiadiAudio

/// The caller audio the lab plays: `Corpora/manifest.json` plus one FLAC (or WAV) per utterance.
///
/// Loaded once per run; audio is read lazily and converted to 16 kHz mono, the corpus's
/// working rate. Entries are kept sorted by id so every listing is stable.
public struct Corpus: Sendable {
    public static let manifestName = "manifest.json"
    /// The rate corpus audio is stored and served at.
    public static let sampleRate = 16_000

    /// The folder holding the manifest and audio (usually `Corpora/`).
    public let directory: String
    public private(set) var entries: [CorpusEntry]

    public var manifestPath: String { (directory as NSString).appendingPathComponent(Self.manifestName) }

    /// An empty corpus rooted at `directory` (nothing is written until `save()`).
    public init(directory: String, entries: [CorpusEntry] = []) {
        self.directory = directory
        self.entries = entries.sorted { $0.id < $1.id }
    }

    /// Loads the manifest; a missing manifest is an empty corpus, a broken one an error.
    public static func load(directory: String) throws(CorpusError) -> Corpus {
        let path = (directory as NSString).appendingPathComponent(manifestName)
        guard FileManager.default.fileExists(atPath: path) else { return Corpus(directory: directory) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .manifestUnreadable(path: path, reason: error.localizedDescription)
        }
        let manifest: Manifest
        do { manifest = try JSONCoding.decoder().decode(Manifest.self, from: data) } catch {
            throw .manifestInvalid(path: path, reason: Self.describe(error))
        }
        guard manifest.schema == Manifest.currentSchema else {
            throw .manifestInvalid(path: path, reason: "schema \(manifest.schema) is not \(Manifest.currentSchema)")
        }
        var seen = Set<String>()
        for entry in manifest.entries {
            guard seen.insert(entry.id).inserted else { throw .manifestInvalid(path: path, reason: "entry id \(entry.id) appears twice") }
        }
        return Corpus(directory: directory, entries: manifest.entries)
    }

    /// Writes the manifest (sorted, stable key order) atomically.
    public func save() throws(CorpusError) {
        let encoder = JSONCoding.encoder(.document)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var data = try encoder.encode(Manifest(schema: Manifest.currentSchema, entries: entries))
            data.append(0x0A)
            try data.write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
        } catch {
            throw .manifestUnreadable(path: manifestPath, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// The entry for a request, if the corpus has it.
    public func entry(for request: CorpusRequest) -> CorpusEntry? {
        entry(id: request.id)
    }

    public func entry(id: String) -> CorpusEntry? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].id < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && entries[lo].id == id ? entries[lo] : nil
    }

    /// Adds or replaces an entry, keeping the order.
    public mutating func upsert(_ entry: CorpusEntry) {
        entries.removeAll { $0.id == entry.id }
        let index = entries.firstIndex { $0.id > entry.id } ?? entries.count
        entries.insert(entry, at: index)
    }

    /// The requests that have no entry yet.
    public func missing(_ requests: [CorpusRequest]) -> [CorpusRequest] {
        requests.filter { entry(for: $0) == nil }
    }

    /// The path of an entry's audio file.
    public func audioPath(of entry: CorpusEntry) -> String {
        (directory as NSString).appendingPathComponent(entry.file)
    }

    /// An entry's audio as 16 kHz mono.
    /// - Parameter verify: also check the samples against the manifest's SHA-256.
    public func audio(of entry: CorpusEntry, verify: Bool = false) throws(CorpusError) -> PCMBuffer {
        let path = audioPath(of: entry)
        guard FileManager.default.fileExists(atPath: path) else {
            throw .entryAudioMissing(manifest: manifestPath, id: entry.id, file: entry.file)
        }
        let stored: PCMBuffer
        do { stored = try AudioFile.read(path) } catch { throw .audio(error.description) }
        if verify && Self.sha256(of: stored) != entry.samplesSHA256 {
            throw .entryAudioChanged(manifest: manifestPath, id: entry.id, file: entry.file)
        }
        let mono = stored.channels == 1 ? stored : stored.channel(0)
        return mono.resampled(to: Self.sampleRate, quality: .studio)
    }

    /// SHA-256 (hex) of a buffer's samples as 16-bit little-endian bytes.
    public static func sha256(of buffer: PCMBuffer) -> String {
        SHA256.hash(data: buffer.littleEndianBytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A fingerprint index over every entry, for the mock model's ears.
    public func fingerprintIndex(configuration: FingerprintIndex.Configuration = .init()) throws(CorpusError) -> FingerprintIndex {
        var index = FingerprintIndex(configuration: configuration)
        for entry in entries { index.add(id: entry.id, audio: try audio(of: entry)) }
        return index
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)' at \(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return "not valid JSON (\(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    struct Manifest: Codable {
        static let currentSchema = "miadi.corpus/1"
        var schema: String
        var entries: [CorpusEntry]
    }
}
