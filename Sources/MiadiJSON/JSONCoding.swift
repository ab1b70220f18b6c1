import Foundation

/// Miadi's JSON, configured in one place: every file and message Miadi writes has sorted keys
/// (the same value is the same bytes, run after run) and unescaped slashes; files people read
/// are indented. Results use snake_case keys derived from Swift names.
public enum JSONCoding {
    public enum Style: Sendable {
        /// One line: traces, wire messages, audit rows.
        case compact
        /// Indented: manifests, calendar snapshots.
        case document
        /// Indented, keys converted to snake_case (`results.json`).
        case snakeCaseDocument
    }

    public static func encoder(_ style: Style = .compact) -> JSONEncoder {
        let encoder = JSONEncoder()
        switch style {
        case .compact:
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        case .document:
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        case .snakeCaseDocument:
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
        }
        return encoder
    }

    /// The decoder for what `encoder(style)` wrote.
    public static func decoder(_ style: Style = .compact) -> JSONDecoder {
        let decoder = JSONDecoder()
        if case .snakeCaseDocument = style { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        return decoder
    }
}
