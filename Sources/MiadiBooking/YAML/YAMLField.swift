import Foundation
import Yams

/// One node of a YAML file with its path from the root, so every read that fails can say
/// file:line:field. Readers are strict: a mapping read with `readingKeys` refuses keys it does
/// not know, because a misspelt `duraton_minutes` silently ignored is a wrong calendar.
public struct YAMLField {
    public let file: String
    public let path: String
    public let node: Node

    public init(file: String, path: String, node: Node) {
        self.file = file
        self.path = path
        self.node = node
    }

    /// Parses `text` (the content of `file`) into its root node.
    public static func root(file: String, text: String) throws(YAMLFileError) -> YAMLField {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw .syntax(file: file, error) }
        guard let node else {
            throw YAMLFileError(file: file, line: 1, field: "(file)", reason: "the file is empty")
        }
        return YAMLField(file: file, path: "", node: node)
    }

    /// Reads and parses a file from disk.
    public static func root(file: String) throws(YAMLFileError) -> YAMLField {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read the file as UTF-8 text" : "no such file"
            throw YAMLFileError(file: file, line: 1, field: "(file)", reason: reason)
        }
        return try root(file: file, text: text)
    }

    public var line: Int { node.mark?.line ?? 1 }

    /// An error located at this node.
    public func error(_ reason: String) -> YAMLFileError {
        YAMLFileError(file: file, line: line, field: path.isEmpty ? "(file)" : path, reason: reason)
    }

    private func child(_ key: String, _ node: Node) -> YAMLField {
        YAMLField(file: file, path: path.isEmpty ? key : "\(path).\(key)", node: node)
    }

    // MARK: Mappings

    /// This node as a mapping whose keys must all be among `allowed`.
    public func mapping(allowed: [String]) throws(YAMLFileError) -> [String: YAMLField] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping (key: value lines)") }
        var out: [String: YAMLField] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw YAMLField(file: file, path: path, node: keyNode).error("keys must be plain words")
            }
            guard allowed.contains(key) else {
                let hint = allowed.sorted().joined(separator: ", ")
                throw child(key, keyNode).error("unknown field; expected one of: \(hint)")
            }
            out[key] = child(key, value)
        }
        return out
    }

    /// This node as a mapping with arbitrary keys (e.g. weekdays, languages), in file order.
    public func entries() throws(YAMLFileError) -> [(key: String, value: YAMLField)] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping (key: value lines)") }
        var out: [(String, YAMLField)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw YAMLField(file: file, path: path, node: keyNode).error("keys must be plain words")
            }
            out.append((key, child(key, value)))
        }
        return out
    }

    // MARK: Sequences

    /// This node as a list; a single scalar is not silently wrapped.
    public func list() throws(YAMLFileError) -> [YAMLField] {
        guard case .sequence(let items) = node else { throw error("must be a list") }
        return items.enumerated().map { i, item in YAMLField(file: file, path: "\(path)[\(i)]", node: item) }
    }

    // MARK: Scalars

    public func string() throws(YAMLFileError) -> String {
        guard case .scalar(let scalar) = node else { throw error("must be a single value, not a list or mapping") }
        return scalar.string
    }

    public func nonEmptyString() throws(YAMLFileError) -> String {
        let value = try string().trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    public func int(in range: ClosedRange<Int>) throws(YAMLFileError) -> Int {
        let text = try string()
        guard let value = Int(text) else { throw error("must be a whole number, got \"\(text)\"") }
        guard range.contains(value) else {
            throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    public func double(in range: ClosedRange<Double>) throws(YAMLFileError) -> Double {
        let text = try string()
        guard let value = Double(text) else { throw error("must be a number, got \"\(text)\"") }
        guard range.contains(value) else {
            throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    public func bool() throws(YAMLFileError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("must be true or false, got \"\(other)\"")
        }
    }

    /// A list of strings, or a single string read as a one-item list.
    /// A list of non-empty strings, and only a list: `tags: "book"` is refused, not read as one tag.
    public func stringList() throws(YAMLFileError) -> [String] {
        guard case .sequence = node else { throw error("must be a list, e.g. [\"book\"]") }
        return try strings()
    }

    public func strings() throws(YAMLFileError) -> [String] {
        if case .scalar = node { return [try nonEmptyString()] }
        var out: [String] = []
        for item in try list() { out.append(try item.nonEmptyString()) }
        return out
    }
}

extension [String: YAMLField] {
    /// The field `key`, or an error at `parent` saying it is missing.
    public func required(_ key: String, in parent: YAMLField, _ what: String) throws(YAMLFileError) -> YAMLField {
        guard let field = self[key] else {
            let name = parent.path.isEmpty ? key : "\(parent.path).\(key)"
            throw YAMLFileError(file: parent.file, line: parent.line, field: name, reason: "missing: \(what)")
        }
        return field
    }
}
