import Foundation
import MiadiBridge
import Testing

/// A mark's frame is written by hand; it must be the JSON an encoder writes, byte for byte.
@Suite("bridge command text")
struct BridgeCommandTextTests {
    @Test("a mark's frame is the sorted-key JSON of its name, whatever the name holds",
          arguments: ["agent-1-end", "agent-12-end-r3", "quote \" back\\slash", "a/b", "tab\tnew\nline\r", "bell\u{7}nul\u{0}", "Swahili: habari, 日本 🎉"])
    func mark(name: String) throws {
        let expected = try JSONSerialization.data(withJSONObject: ["type": "mark", "data": ["name": name]], options: [.sortedKeys])
        #expect(BridgeCommand.mark(name).text == String(decoding: expected, as: UTF8.self))
        // And it reads back as the same name.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(BridgeCommand.mark(name).text.utf8)) as? [String: Any])
        #expect((object["data"] as? [String: String])?["name"] == name)
    }
}
