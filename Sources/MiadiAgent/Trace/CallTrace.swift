import Foundation
import MiadiJSON

/// Why a trace could not be read.
public enum TraceError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case badLine(path: String, line: Int, reason: String)
    case unsupportedSchema(path: String, found: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        case .badLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .unsupportedSchema(let path, let found): return "\(path):1: schema \"\(found)\" is not \(TraceHeader.schemaName); this Miadi cannot read it"
        }
    }
}

/// A whole call trace: the header and the events in call-time order.
///
/// Events are kept in the order they were added; `jsonLines()` orders them by `t_ms`, ties in
/// the order added, so a trace assembled from several sources (bridge, agent, platform) still
/// reads in time.
public struct CallTrace: Sendable, Equatable {
    public var header: TraceHeader
    public private(set) var events: [TraceEvent] = []

    public init(header: TraceHeader) { self.header = header }

    public mutating func append(_ event: TraceEvent) { events.append(event) }
    public mutating func append(contentsOf more: [TraceEvent]) { events.append(contentsOf: more) }

    /// Events in time order, ties in insertion order.
    public var orderedEvents: [TraceEvent] {
        events.enumerated().sorted { a, b in a.element.tMs != b.element.tMs ? a.element.tMs < b.element.tMs : a.offset < b.offset }.map(\.element)
    }

    public func events(ofType type: TraceType) -> [TraceEvent] { orderedEvents.filter { $0.is(type) } }

    /// The JSON Lines text: header, then one event per line; keys sorted; ends with a newline.
    public func jsonLines() -> Data {
        let encoder = JSONCoding.encoder()
        var out = Data()
        // Encoding values built from strings and numbers cannot fail.
        out.append((try? encoder.encode(header)) ?? Data())
        out.append(0x0A)
        for event in orderedEvents {
            out.append((try? encoder.encode(event)) ?? Data())
            out.append(0x0A)
        }
        return out
    }

    /// Parses JSON Lines; unknown event types are kept (readers skip what they do not know).
    public static func parse(_ data: Data, path: String) throws(TraceError) -> CallTrace {
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard let first = lines.first, !first.isEmpty else { throw .unreadable(path: path, reason: "empty trace") }
        let decoder = JSONCoding.decoder()
        if let probe = try? decoder.decode([String: TraceValue].self, from: Data(first)), let schema = probe["schema"]?.string,
           !schema.hasPrefix("miadi.trace/1") {
            throw .unsupportedSchema(path: path, found: schema)
        }
        let header: TraceHeader
        do { header = try decoder.decode(TraceHeader.self, from: Data(first)) } catch {
            throw .badLine(path: path, line: 1, reason: "not a trace header: \(error)")
        }
        var trace = CallTrace(header: header)
        for (index, line) in lines.dropFirst().enumerated() where !line.isEmpty {
            do { trace.append(try decoder.decode(TraceEvent.self, from: Data(line))) } catch {
                throw .badLine(path: path, line: index + 2, reason: "not a trace event (needs t_ms and type): \(error)")
            }
        }
        return trace
    }

    public static func load(path: String) throws(TraceError) -> CallTrace {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        return try parse(data, path: path)
    }
}
