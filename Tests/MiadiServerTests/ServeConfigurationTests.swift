import Foundation
import MiadiBooking
import MiadiBridge
@testable import MiadiServer
import NIOCore
import Testing

@Suite("miadi serve configuration")
struct ServeConfigurationTests {
    func write(_ text: String) -> String {
        let folder = ServerHarness.scratch("config")
        let path = folder + "/serve.yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static let valid = """
        listen: {host: 0.0.0.0, port: 9090}
        public_url: https://miadi.example.com/
        stream_token: from-file
        clinic: \(ServerHarness.root)/Scenarios/clinics/whitedent-nairobi.yaml
        stream: {track: inbound_track, rate: 8000, output_rate: 8000}
        greeting: {en: "Welcome.", sw: "Karibu."}
        handoff_number: "+254709000101"
        pacing: {lead_ms: 120}
        barge_in: {mode: stop_after, min_speech_ms: 300}
        webhook_secret: route-5f0c2d9e1b7a4c3e
        """

    @Test("the bundled example loads, and its URLs are derived from public_url")
    func example() throws {
        let config = try ServeConfiguration.load(path: ServerHarness.root + "/Config/serve.example.yaml", environment: [:])
        #expect(config.streamURL == "ws://127.0.0.1:8080/stream")
        #expect(config.provider == "echo")
        #expect(try MiadiServerApp(configuration: config, logger: .init(label: "t")).clinic.id == "whitedent-nairobi")
    }

    @Test("every field is read; the environment's token wins over the file's")
    func fields() throws {
        let path = write(Self.valid)
        let config = try ServeConfiguration.load(path: path, environment: ["MIADI_STREAM_TOKEN": "from-env"])
        #expect(config.host == "0.0.0.0" && config.port == 9090)
        #expect(config.streamURL == "wss://miadi.example.com/stream")
        #expect(config.statusCallbackURL == "https://miadi.example.com/stream-status")
        #expect(config.streamToken == "from-env")
        #expect(config.track == .inbound && config.inputSampleRate == 8000 && config.outputSampleRate == 8000)
        #expect(config.greetings["sw"] == "Karibu.")
        #expect(config.leadMs == 120 && config.bargeIn.minimumSpeechMs == 300 && config.bargeIn.resumeGapMs == 80)
        #expect(config.bargeIn.mode == .stopAfter)
        #expect(config.unstreamedCallSeconds == 300)
        #expect(try ServeConfiguration.load(path: write(Self.valid + "\nunstreamed_call_seconds: 45\n"), environment: [:]).unstreamedCallSeconds == 45)
        #expect(config.eventLoops == nil)
        #expect(try ServeConfiguration.load(path: write(Self.valid + "\nevent_loops: 5\n"), environment: [:]).eventLoops == 5)
        #expect(try ServeConfiguration.load(path: path, environment: [:]).streamToken == "from-file")
    }

    @Test("an https public URL needs a webhook secret of 16+ URL-safe characters; the environment's secret and lab token win over the file's")
    func webhookSecretAndLabToken() throws {
        let config = try ServeConfiguration.load(path: write(Self.valid), environment: [:])
        #expect(config.webhookPath == "/voice/route-5f0c2d9e1b7a4c3e")
        #expect(config.webhookURL == "https://miadi.example.com/voice/route-5f0c2d9e1b7a4c3e")
        #expect(config.labToken == nil)
        let fromEnvironment = try ServeConfiguration.load(path: write(Self.valid + "\nlab_token: lab-from-file\n"),
                                                          environment: ["MIADI_WEBHOOK_SECRET": "0123456789abcdef0123", "MIADI_LAB_TOKEN": "lab-from-env"])
        #expect(fromEnvironment.webhookPath == "/voice/0123456789abcdef0123")
        #expect(fromEnvironment.labToken == "lab-from-env")
        #expect(try ServeConfiguration.load(path: write(Self.valid + "\nlab_token: lab-from-file\n"), environment: [:]).labToken == "lab-from-file")
        // Without a secret, an https server would hand stream tickets to anyone: it does not start.
        let open = write(Self.valid.replacingOccurrences(of: "webhook_secret: route-5f0c2d9e1b7a4c3e", with: ""))
        #expect { try ServeConfiguration.load(path: open, environment: [:]) } throws: { error in
            (error as? YAMLFileError)?.field == "public_url" && "\(error)".contains("webhook_secret")
        }
        // A local trial on http:// may go without one: the webhook is /voice.
        let local = try ServeConfiguration.load(path: write(Self.valid.replacingOccurrences(of: "webhook_secret: route-5f0c2d9e1b7a4c3e", with: "")
            .replacingOccurrences(of: "https://miadi.example.com/", with: "http://127.0.0.1:8080")), environment: [:])
        #expect(local.webhookPath == "/voice")
        for (bad, reason) in [("short-secret", "at least 16"), ("route/5f0c2d9e1b7a4c3e", "letters, digits"), ("route 5f0c2d9e1b7a4c3e", "letters, digits"), ("route%2f5f0c2d9e1b7a4c3e", "letters, digits")] {
            let path = write(Self.valid.replacingOccurrences(of: "webhook_secret: route-5f0c2d9e1b7a4c3e", with: "webhook_secret: \"\(bad)\""))
            #expect { try ServeConfiguration.load(path: path, environment: [:]) } throws: { error in
                let error = error as? YAMLFileError
                return error?.field == "webhook_secret" && error?.line == 10 && error?.reason.contains(reason) == true
            }
        }
    }

    @Test("a live provider takes its key and base URL from the environment, its model, voice and prompt from the file")
    func liveProvider() throws {
        let text = Self.valid + "\nprovider: openai-realtime\nmodel: {name: gpt-realtime-mini, voice: cedar, prompt: \(ServerHarness.root)/Prompts/system.md}\n"
        let path = write(text)
        let config = try ServeConfiguration.load(path: path, environment: ["OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(config.provider == "openai-realtime")
        #expect(config.liveEnvironment["OPENAI_API_KEY"] == "sk-env" && config.liveEnvironment["OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1")
        #expect(config.liveModel.name == "gpt-realtime-mini" && config.liveModel.voice == "cedar")
        #expect(config.liveModel.promptFile.hasSuffix("Prompts/system.md"))
        // Without a key it does not start, and says which variable is missing.
        do {
            _ = try ServeConfiguration.load(path: path, environment: [:])
            Issue.record("started without OPENAI_API_KEY")
        } catch {
            #expect(error.field == "provider")
            #expect(error.description.contains("OPENAI_API_KEY"))
        }
        // A prompt file that is not there is named.
        let missing = write(Self.valid + "\nprovider: openai-realtime\nmodel: {prompt: nowhere.md}\n")
        do {
            _ = try ServeConfiguration.load(path: missing, environment: ["OPENAI_API_KEY": "sk-env"])
            Issue.record("accepted a missing prompt file")
        } catch {
            #expect(error.field == "model.prompt" && error.description.contains("nowhere.md"), "\(error)")
        }
        // Fields only a live provider reads are refused, not ignored, with the echo or the mock.
        for extra in ["model: {voice: cedar}", "record_provider: true"] {
            #expect(throws: YAMLFileError.self, "\(extra)") { try ServeConfiguration.load(path: write(Self.valid + "\n" + extra + "\n"), environment: [:]) }
        }
    }

    @Test("mistakes name the file, line and field", arguments: [
        ("public_url: https://miadi.example.com/", "public_url: ftp://x", 2, "public_url"),
        ("stream: {track: inbound_track, rate: 8000, output_rate: 8000}", "stream: {track: inbound_track, rate: 11025}", 5, "stream.rate"),
        ("stream: {track: inbound_track, rate: 8000, output_rate: 8000}", "stream: {track: sideways}", 5, "stream.track"),
        ("pacing: {lead_ms: 120}", "pacing: {lead: 120}", 8, "pacing.lead"),
        ("handoff_number: \"+254709000101\"", "provider: gpt-9", 7, "provider"),
        ("handoff_number: \"+254709000101\"", "handof_number: x", 7, "handof_number"),
        ("barge_in: {mode: stop_after, min_speech_ms: 300}", "barge_in: {min_speech_ms: 300}", 9, "barge_in.min_speech_ms"),
        ("barge_in: {mode: stop_after, min_speech_ms: 300}", "barge_in: {mode: stop, min_speech_ms: 300}", 9, "barge_in.mode"),
        ("barge_in: {mode: stop_after, min_speech_ms: 300}", "barge_in: {mode: pause_resume, false_interruption_ms: 50}", 9, "barge_in.false_interruption_ms"),
        ("pacing: {lead_ms: 120}", "unstreamed_call_seconds: 0", 8, "unstreamed_call_seconds"),
        ("pacing: {lead_ms: 120}", "event_loops: 0", 8, "event_loops"),
    ])
    func mistakes(find: String, replace: String, line: Int, field: String) {
        let path = write(Self.valid.replacingOccurrences(of: find, with: replace))
        do {
            _ = try ServeConfiguration.load(path: path, environment: [:])
            Issue.record("accepted \(replace)")
        } catch {
            #expect(error.file == path)
            #expect(error.line == line, "\(error)")
            #expect(error.field == field, "\(error)")
        }
    }
}

@Suite("Request bodies")
struct RequestFieldsTests {
    @Test("a webhook body is read from a form (Hummingbird's decoder) or JSON", arguments: [
        ("application/x-www-form-urlencoded", "CallSid=CA9&From=%2B254711000002&To=%2B254709000100"),
        ("application/json", #"{"call_sid":"CA9","from":"+254711000002","to":"+254709000100"}"#),
        ("application/json", #"{"callSid":"CA9","from":"+254711000002","to":"+254709000100"}"#),
        (nil, "call_sid=CA9&from=%2B254711000002&to=%2B254709000100"),
    ])
    func webhookBodies(contentType: String?, body: String) throws {
        let fields = try RequestFields.read(ByteBuffer(string: body), contentType: contentType)
        let request = try #require(WebhookRequest(fields: fields))
        #expect(request.callSID == "CA9")
        #expect(request.from == "+254711000002")
        #expect(request.to == "+254709000100")
    }

    @Test("a body that is neither is an error, not a call")
    func unreadable() {
        #expect(throws: RequestFields.ReadError.self) { try RequestFields.read(ByteBuffer(string: "[1,2]"), contentType: "application/json") }
        #expect(throws: RequestFields.ReadError.self) { try RequestFields.read(ByteBuffer(string: "a[b=1&a=2"), contentType: nil) }
    }
}
