import Yams

/// A problem in a YAML input file (clinic, scenario, config), located for the person who wrote it.
public struct YAMLFileError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file as the user named it.
    public let file: String
    /// 1-based line of the offending node (the file's first line when the file itself is wrong).
    public let line: Int
    /// The field's path, e.g. `services[2].duration_minutes`.
    public let field: String
    /// What is wrong and what would be right.
    public let reason: String

    public init(file: String, line: Int, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(field): \(reason)" }

    /// The error for text that is not YAML at all, at the line the parser stopped.
    static func syntax(file: String, _ error: any Error) -> YAMLFileError {
        guard let yaml = error as? YamlError else {
            return YAMLFileError(file: file, line: 1, field: "(yaml)", reason: "\(error)")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let text = [context.map { "\($0)" }, problem].compactMap { $0 }.joined(separator: ": ")
            return YAMLFileError(file: file, line: mark.line, field: "(yaml)", reason: text)
        default:
            return YAMLFileError(file: file, line: 1, field: "(yaml)", reason: "\(yaml)")
        }
    }
}
