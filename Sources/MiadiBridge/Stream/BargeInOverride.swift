import MiadiBooking

/// What a `barge_in:` mapping (in `serve.yaml` or a scenario) sets of the bridge's policy;
/// what it leaves out is the base's (the defaults, or `miadi run --barge-in`).
public struct BargeInOverride: Sendable, Equatable {
    public var mode: BargeInPolicy.Mode?
    public var settings: [Setting] = []

    public struct Setting: Sendable, Equatable {
        public let key: String
        public let ms: Int
    }

    public init() {}

    /// Reads a `barge_in:` mapping: its keys are `BargeInPolicy.keys`, each setting within its
    /// range, and a setting that tunes one mode must name that mode beside it (left to another
    /// mode it would be accepted and ignored). Errors name the file, line and field.
    public init(_ field: YAMLField) throws(YAMLFileError) {
        let map = try field.mapping(allowed: BargeInPolicy.keys)
        if let modeField = map["mode"] {
            let raw = try modeField.nonEmptyString()
            guard let mode = BargeInPolicy.Mode(rawValue: raw) else {
                throw modeField.error("barge_in mode \"\(raw)\" is not one of \(BargeInPolicy.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.mode = mode
        }
        for key in BargeInPolicy.keys where key != "mode" {
            guard let valueField = map[key] else { continue }
            let value = try valueField.int(in: BargeInPolicy.ranges[key]!)
            if let tuned = BargeInPolicy.modeTuned(by: key), mode != tuned {
                throw valueField.error("\(key) tunes \(tuned.rawValue); say mode: \(tuned.rawValue) beside it")
            }
            settings.append(Setting(key: key, ms: value))
        }
    }

    public func applied(to base: BargeInPolicy) -> BargeInPolicy {
        var policy = base
        if let mode { policy.mode = mode }
        for setting in settings { policy.set(setting.key, ms: setting.ms) }
        return policy
    }
}
