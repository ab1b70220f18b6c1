/// Why the corpus could not be read, built or used; each case names the file (and line) to fix.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
    case manifestUnreadable(path: String, reason: String)
    case manifestInvalid(path: String, reason: String)
    case entryAudioMissing(manifest: String, id: String, file: String)
    case entryAudioChanged(manifest: String, id: String, file: String)
    case audio(String)
    case synthesis(origin: String?, reason: String)
    case scenarioUnreadable(path: String, reason: String)
    case scenarioInvalid(path: String, line: Int, field: String, reason: String)
    case missingLines([CorpusRequest])

    public var description: String {
        switch self {
        case .manifestUnreadable(let path, let reason):
            return "\(path): cannot read the corpus manifest: \(reason)"
        case .manifestInvalid(let path, let reason):
            return "\(path): invalid corpus manifest: \(reason)"
        case .entryAudioMissing(let manifest, let id, let file):
            return "\(manifest): entry \(id) names \(file), which does not exist; run `miadi corpus build` or restore the file"
        case .entryAudioChanged(let manifest, let id, let file):
            return "\(manifest): the samples of \(file) (entry \(id)) no longer match the manifest's SHA-256; rebuild it with `miadi corpus build --force`"
        case .audio(let message):
            return message
        case .synthesis(let origin, let reason):
            return (origin.map { "\($0): " } ?? "") + reason
        case .scenarioUnreadable(let path, let reason):
            return "\(path): \(reason)"
        case .scenarioInvalid(let path, let line, let field, let reason):
            return "\(path):\(line): \(field): \(reason)"
        case .missingLines(let lines):
            let shown = lines.prefix(5).map { "  \($0.origin ?? "?"): [\($0.language)/\($0.voice)] \"\($0.text)\"" }.joined(separator: "\n")
            return "\(lines.count) caller line(s) have no audio in the corpus; run `miadi corpus build`:\n\(shown)"
        }
    }
}
