import Foundation
import Hummingbird

/// The fields of a webhook's or a status callback's body: a form (read with Hummingbird's
/// URL-encoded form decoder) or a JSON object, as platforms send either. Values that are
/// numbers in JSON are read as their text.
enum RequestFields {
    enum ReadError: Error, CustomStringConvertible {
        case notAnObject
        case badForm(String)

        var description: String {
            switch self {
            case .notAnObject: return "the JSON body is not an object"
            case .badForm(let reason): return "the form body cannot be read: \(reason)"
            }
        }
    }

    static func read(_ body: ByteBuffer, contentType: String?) throws(ReadError) -> [String: String] {
        let type = (contentType ?? "").lowercased()
        if type.contains("json") || body.readableBytesView.first == UInt8(ascii: "{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else { throw .notAnObject }
            var fields: [String: String] = [:]
            for (key, value) in object {
                if let s = value as? String { fields[key] = s } else if let n = value as? NSNumber { fields[key] = n.stringValue }
            }
            return fields
        }
        do { return try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body)) } catch {
            throw .badForm("\(error)")
        }
    }
}
