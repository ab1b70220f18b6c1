import Foundation
import MiadiCorpus
import MiadiAudio
import Yams

/// Reads scenario files just far enough to list the caller lines they need as audio.
///
/// The corpus must be buildable before (and independently of) full scenario validation, and
/// must not break when the script grows new kinds of steps, so this walks the YAML tree: in each
/// call (the file itself, or each item of `calls:`), under `script:`, every `say:` string and
/// every string answer under `answers:` or `backchannel:` is a line, spoken in the call's
/// `caller.language` with `caller.voice`. A line with `audio: FILE` beside its `say:` is a
/// recording: one beside the scenario file is played from there and is no corpus line; any
/// other is a user's recording stored under `Corpora/FILE`.
public enum ScenarioLineCollector {
    /// Every `.yaml`/`.yml` file under `paths` (files or folders), sorted, skipping `clinics/`
    /// folders (clinic files carry no caller lines).
    public static func scenarioFiles(under paths: [String]) throws(CorpusError) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .scenarioUnreadable(path: path, reason: "no such file or folder")
            }
            if !isDirectory.boolValue { files.append(path); continue }
            guard let walker = fm.enumerator(atPath: path) else { continue }
            while let relative = walker.nextObject() as? String {
                let parts = relative.split(separator: "/")
                if parts.contains("clinics") || parts.contains(where: { $0.hasPrefix(".") }) { continue }
                if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                    files.append((path as NSString).appendingPathComponent(relative))
                }
            }
        }
        return Array(Set(files)).sorted()
    }

    /// The lines of every scenario under `paths`, de-duplicated and sorted.
    public static func requests(under paths: [String]) throws(CorpusError) -> [CorpusRequest] {
        // Files are visited in sorted order and a Set keeps the first of equal members, so each
        // line's origin is its first use: stable from run to run.
        var all = Set<CorpusRequest>()
        for file in try scenarioFiles(under: paths) {
            for request in try requests(inFile: file) { all.insert(request) }
        }
        return all.sorted()
    }

    /// The lines of one scenario file.
    public static func requests(inFile path: String) throws(CorpusError) -> [CorpusRequest] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .scenarioUnreadable(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw .scenarioInvalid(path: path, line: Self.line(of: error), field: "(yaml)", reason: Self.problem(of: error))
        } catch {
            throw .scenarioUnreadable(path: path, reason: "\(error)")
        }
        guard let root, case .mapping(let top) = root else {
            throw .scenarioInvalid(path: path, line: 1, field: "(file)", reason: "a scenario is a YAML mapping (id, clinic, caller, script, expect…)")
        }
        var calls: [(Node.Mapping, String)] = []
        if let list = top["calls"] {
            guard case .sequence(let items) = list else {
                throw .scenarioInvalid(path: path, line: list.mark?.line ?? 1, field: "calls", reason: "must be a list of calls")
            }
            for (i, item) in items.enumerated() {
                guard case .mapping(let call) = item else {
                    throw .scenarioInvalid(path: path, line: item.mark?.line ?? 1, field: "calls[\(i)]", reason: "each call is a mapping with caller and script")
                }
                calls.append((call, "calls[\(i)]."))
            }
        } else {
            calls.append((top, ""))
        }
        var out: [CorpusRequest] = []
        for (call, prefix) in calls {
            guard let callerNode = call["caller"] ?? top["caller"], case .mapping(let caller) = callerNode else {
                throw .scenarioInvalid(path: path, line: call["script"]?.mark?.line ?? 1, field: "\(prefix)caller", reason: "missing: the caller's number, language and voice")
            }
            guard let language = caller["language"]?.string, !language.isEmpty else {
                throw .scenarioInvalid(path: path, line: callerNode.mark?.line ?? 1, field: "\(prefix)caller.language", reason: "missing: a language code such as en, sw or fr")
            }
            let voice = caller["voice"]?.string ?? EspeakSynthesizer.defaultVoice(language: language)
            guard let script = call["script"] else { continue }
            try collect(script, language: language, voice: voice, path: path, field: "\(prefix)script", into: &out)
        }
        return out
    }

    private static func collect(_ node: Node, language: String, voice: String, path: String, field: String, into out: inout [CorpusRequest]) throws(CorpusError) {
        switch node {
        case .scalar, .alias:
            return
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                try collect(item, language: language, voice: voice, path: path, field: "\(field)[\(i)]", into: &out)
            }
        case .mapping(let mapping):
            let recording = mapping["audio"]?.string
            for (keyNode, value) in mapping {
                guard let key = keyNode.string else { continue }
                let here = "\(field).\(key)"
                switch (key, value) {
                case ("say", .scalar(let scalar)):
                    guard !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw .scenarioInvalid(path: path, line: value.mark?.line ?? 1, field: here, reason: "empty line: write what the caller says")
                    }
                    // A recording beside the scenario (a served call's caller) is no corpus line.
                    if let recording, !recording.hasPrefix("/"), FileManager.default.fileExists(atPath: ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(recording)) { continue }
                    out.append(CorpusRequest(text: scalar.string, language: language, voice: recording.map { "recording:\($0)" } ?? voice, origin: "\(path):\(value.mark?.line ?? 1)"))
                case ("answers", .mapping(let answers)), ("backchannel", .mapping(let answers)):
                    for (answerKey, answer) in answers {
                        let answerField = "\(here).\(answerKey.string ?? "?")"
                        if case .scalar(let scalar) = answer, answerKey.string != "audio", answerKey.string != "after_ms", Double(scalar.string) == nil {
                            out.append(CorpusRequest(text: scalar.string, language: language, voice: voice, origin: "\(path):\(answer.mark?.line ?? 1)"))
                        } else if key == "answers", case .sequence(let lines) = answer {
                            // Several answers to one kind of question, said in turn.
                            for item in lines {
                                guard case .scalar(let scalar) = item else { continue }
                                out.append(CorpusRequest(text: scalar.string, language: language, voice: voice, origin: "\(path):\(item.mark?.line ?? 1)"))
                            }
                        } else {
                            try collect(answer, language: language, voice: voice, path: path, field: answerField, into: &out)
                        }
                    }
                case ("backchannel", .scalar(let scalar)):
                    out.append(CorpusRequest(text: scalar.string, language: language, voice: voice, origin: "\(path):\(value.mark?.line ?? 1)"))
                default:
                    try collect(value, language: language, voice: voice, path: path, field: here, into: &out)
                }
            }
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return [context.map { "\($0)" }, problem].compactMap { $0 }.joined(separator: ": ")
        default:
            return "\(error)"
        }
    }
}
