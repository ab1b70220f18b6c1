import MiadiTestSupport
import Foundation
import MiadiAgent
import MiadiAudio
import MiadiBooking
@testable import MiadiBridge
import MiadiLanguage
import MiadiProviders
import Synchronization

/// What a scripted model was given, readable from the test (the machine holds the model).
final class ModelInputs: Sendable {
    let inputs = Mutex<[(t: Int, input: ProviderInput)]>([])
    var all: [ProviderInput] { inputs.withLock { $0.map(\.input) } }
    var toolResults: [ToolResult] { all.compactMap { if case .toolResult(let r) = $0 { return r }; return nil } }
}

/// A model that says what the test scripted, at the call times given, and records what it hears.
struct ScriptedModel: ProviderMachine {
    let providerID = "scripted"
    let model = "scripted-1"
    let inputSampleRate = 16_000
    let outputSampleRate = 24_000
    var due: [(atMs: Int, events: [ProviderEvent])]
    let log: ModelInputs

    mutating func receive(_ input: ProviderInput, nowMs: Int) -> [ProviderEvent] {
        log.inputs.withLock { $0.append((nowMs, input)) }
        return []
    }

    mutating func tick(nowMs: Int) -> [ProviderEvent] {
        var out: [ProviderEvent] = []
        while let index = due.firstIndex(where: { $0.atMs <= nowMs }) { out += due.remove(at: index).events }
        return out
    }
}

/// A test shell for one `CallMachine` on virtual time: performs timers like `miadi serve` and
/// the lab do, records every action with its time, and leaves tool runs to the test.
struct MachineHarness {
    static let root = Repository.root

    var machine: CallMachine
    var setup: CallMachine.Setup
    var nowMs = 0
    var log: [(t: Int, action: CallAction)] = []
    var timers: [(timer: CallTimer, atMs: Int)] = []
    /// Tool runs the machine asked for, not yet completed by the test.
    var pendingTools: [ToolRequest] = []

    init(model: CallModel, agent: CallAgent? = nil, toolLatencyMs: Int = 0, deadlineMs: Int = 10_000) {
        machine = CallMachine(metadataDeadlineMs: deadlineMs)
        setup = CallMachine.Setup(model: model, agent: agent, stream: BridgeFixtures.config(), toolLatencyMs: toolLatencyMs)
        record(machine.opened(nowMs: 0))
    }

    /// The clinic of the bundled scenarios, and an agent for it with a person to hand off to.
    static func agent(handoff: String? = "+254709000101") throws -> CallAgent {
        let clinic = try ClinicFile.load(path: root + "/Scenarios/clinics/whitedent-nairobi.yaml")
        return CallAgent(clinic: clinic, today: CivilDate(year: 2026, month: 3, day: 2), context: CallContext(callerNumber: "+254711000002", callSID: "CA-test-1"),
                         language: .en, handoffNumber: handoff)
    }

    static func scripted(_ due: [(atMs: Int, events: [ProviderEvent])]) -> (CallModel, ModelInputs) {
        let log = ModelInputs()
        return (.inProcess(ScriptedModel(due: due, log: log)), log)
    }

    mutating func record(_ actions: [CallAction]) {
        for action in actions {
            log.append((nowMs, action))
            switch action {
            case .identify: record(machine.attach(setup, nowMs: nowMs))
            case .schedule(let timer, let atMs):
                timers.removeAll { $0.timer == timer }
                timers.append((timer, atMs))
            case .cancel(let timer): timers.removeAll { $0.timer == timer }
            case .runTool(let request): pendingTools.append(request)
            case .sendBinary, .send, .close, .toProvider, .trace, .agentSaid, .effect, .ended: break
            }
        }
    }

    mutating func metadata() { record(machine.textReceived(BridgeFixtures.metadata, nowMs: nowMs)) }

    /// Lets time pass to `t`, 20 ms at a time, firing due timers; the caller sends silence
    /// frames (as a phone line does) when `line` is set.
    mutating func advance(to t: Int, line: Bool = true) {
        while nowMs < t {
            nowMs += 20
            if line && machine.session != nil { sendFrame(PCMBuffer.silence(durationMs: 20, sampleRate: 16_000)) }
            fireTimers()
        }
    }

    mutating func fireTimers() {
        while let index = timers.firstIndex(where: { $0.atMs <= nowMs }) {
            let due = timers.remove(at: index)
            record(machine.timerFired(due.timer, nowMs: nowMs))
        }
    }

    /// Caller audio (16 kHz mono) in real time, 20 ms frames on `both_tracks`.
    mutating func caller(_ audio: PCMBuffer) {
        for packet in audio.packets20ms() {
            nowMs += 20
            sendFrame(packet)
            fireTimers()
        }
    }

    private mutating func sendFrame(_ packet: PCMBuffer) {
        let silence = PCMBuffer(samples: [Int16](repeating: 0, count: packet.frameCount), sampleRate: 16_000)
        record(machine.binaryReceived(PCMBuffer.interleave(left: packet, right: silence).littleEndianBytes, nowMs: nowMs))
    }

    /// Completes the oldest pending tool run with `completion`.
    mutating func completeTool(_ completion: (ToolRequest) -> ToolCompletion) {
        let request = pendingTools.removeFirst()
        record(machine.toolCompleted(completion(request), nowMs: nowMs))
    }

    var sent: [(t: Int, command: BridgeCommand)] { log.compactMap { if case .send(let c) = $0.action { return ($0.t, c) }; return nil } }
    var binaryTimes: [Int] { log.compactMap { if case .sendBinary = $0.action { return $0.t }; return nil } }
    func traces(_ type: String) -> [TraceEvent] { log.compactMap { if case .trace(let e, let t) = $0.action, e.line(atMs: t).type == type { return e.line(atMs: t) }; return nil } }
    var closes: [(code: UInt16, reason: String)] { log.compactMap { if case .close(let c, let r) = $0.action { return (c, r) }; return nil } }
    var endings: [String] { log.compactMap { if case .ended(let r) = $0.action { return r }; return nil } }
}
