import Foundation
import MiadiBridge
import MiadiSimulator
import Testing
import Yams

/// The scenario format has one definition in two places — `scenario.schema.json` for editors
/// and the loader for `miadi run` — and they must agree: every key the loader reads is in the
/// schema and every key the schema allows is read, and every bundled file validates.
@Suite("Scenario schema and loader")
struct ScenarioSchemaTests {
    static func plain(_ value: Any) -> Any {
        if let map = value as? [AnyHashable: Any] {
            var out: [String: Any] = [:]
            for (k, v) in map { out["\(k)"] = plain(v) }
            return out
        }
        if let list = value as? [Any] { return list.map(plain) }
        return value
    }

    static func schema() throws -> [String: Any] {
        let text = try String(contentsOfFile: Fixtures.scenarios + "/scenario.schema.json", encoding: .utf8)
        return try #require(plain(try Yams.load(yaml: text) as Any) as? [String: Any])
    }

    static func node(_ schema: [String: Any], _ path: [String]) -> [String: Any] {
        var here: Any = schema
        for key in path { here = (here as? [String: Any])?[key] as Any }
        return here as? [String: Any] ?? [:]
    }

    static func keys(_ schema: [String: Any], _ path: [String]) -> [String] {
        (node(schema, path)["properties"] as? [String: Any] ?? [:]).keys.sorted()
    }

    @Test("every object of the schema allows exactly the keys the loader reads there")
    func keysAgree() throws {
        let s = try Self.schema()
        let places: [([String], [String])] = [
            ([], ScenarioFile.Keys.top),
            (["properties", "calendar", "items"], ScenarioFile.Keys.calendarEntry),
            (["properties", "limits"], ScenarioFile.Keys.limits),
            (["properties", "barge_in"], ScenarioFile.Keys.bargeInPolicy),
            (["properties", "calls", "items"], ScenarioFile.Keys.call),
            (["$defs", "lineSettings"], ScenarioFile.Keys.line),
            (["$defs", "lineSettings", "properties", "network"], ScenarioFile.Keys.network),
            (["$defs", "lineSettings", "properties", "network", "properties", "dropouts", "items"], ScenarioFile.Keys.dropout),
            (["$defs", "caller"], ScenarioFile.Keys.caller),
            (["$defs", "script", "items"], ScenarioFile.Keys.step),
            (["$defs", "overAgent"], ScenarioFile.Keys.overAgent),
            (["$defs", "expect"], ScenarioFile.Keys.expect),
            (["$defs", "expect", "properties", "appointments", "items"], ScenarioFile.Keys.expectedAppointment),
        ]
        for (path, loader) in places {
            #expect(Self.keys(s, path) == loader.sorted(), "\(path.joined(separator: "."))")
            #expect(Self.node(s, path)["additionalProperties"] as? Bool == false, "\(path.joined(separator: ".")) must refuse unknown keys")
        }
        // Every object in the schema is one of those places: nothing is left unchecked.
        var objects = 0
        func walk(_ value: Any) {
            if let map = value as? [String: Any] {
                if map["properties"] != nil { objects += 1 }
                for (_, v) in map { walk(v) }
            } else if let list = value as? [Any] { list.forEach(walk) }
        }
        walk(s)
        #expect(objects == places.count)
        // And the closed lists agree.
        #expect((Self.node(s, ["properties", "barge_in", "properties", "mode"])["enum"] as? [String]) == BargeInPolicy.Mode.allCases.map(\.rawValue))
        let expect = Self.node(s, ["$defs", "expect", "properties"])
        #expect((expect["outcome"] as? [String: Any])?["enum"] as? [String] == Scenario.outcomes)
        let answers = Self.node(s, ["$defs", "script", "items", "properties", "answers", "propertyNames"])
        #expect((answers["enum"] as? [String])?.sorted() == QuestionKind.allCases.map(\.rawValue).sorted())
    }

    @Test("every bundled scenario validates against the schema")
    func bundledFilesValidate() throws {
        let s = try Self.schema()
        let validator = SchemaValidator(root: s)
        let files = try FileManager.default.subpathsOfDirectory(atPath: Fixtures.scenarios).filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("clinics/") }.sorted()
        #expect(files.count >= 17)
        for file in files {
            let text = try String(contentsOfFile: Fixtures.scenarios + "/" + file, encoding: .utf8)
            let value = Self.plain(try Yams.load(yaml: text) as Any)
            #expect(validator.errors(value, s) == [], "\(file)")
        }
    }

    @Test("the validator is not a rubber stamp: it refuses what the schema refuses")
    func validatorRefuses() throws {
        let s = try Self.schema()
        let validator = SchemaValidator(root: s)
        let text = try String(contentsOfFile: Fixtures.scenarios + "/en/cancel-filling.yaml", encoding: .utf8)
        for (from, to) in [("outcome: cancelled", "outcome: canceled"), ("language: en", "language: de"), ("clinic:", "clinik:"), ("hang_up: after_goodbye", "hang_up: later")] {
            #expect(text.contains(from), "\(from)")
            let value = Self.plain(try Yams.load(yaml: text.replacingOccurrences(of: from, with: to)) as Any)
            #expect(!validator.errors(value, s).isEmpty, "\(to) was accepted")
        }
    }
}
