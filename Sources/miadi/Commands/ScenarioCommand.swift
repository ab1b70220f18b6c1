import ArgumentParser
import Foundation
import MiadiSimulator

/// `miadi scenario …`: scenarios made from elsewhere.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Make scenarios from served calls.",
        subcommands: [FromCallCommand.self]
    )
}

/// `miadi scenario from-call TRACE`: production to lab.
struct FromCallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-call",
        abstract: "Turn a `miadi serve` trace and its recording into a scenario: the caller's own audio, the calendar as it was.",
        discussion: """
        Reads TRACE (a serve trace), the stereo recording and the calendar snapshot it names beside it, and writes \
        OUT/<id>.yaml with the caller's lines cut from the recording into OUT/<id>/line-N.wav. Replay it against a new \
        prompt or model: miadi run OUT/<id>.yaml --provider openai-realtime --prompt new.md. The mock understands only \
        corpus lines, so a real caller's call needs a live model.
        """
    )

    @Argument(help: "A trace written by `miadi serve` (<call_sid>.trace.jsonl).")
    var trace: String

    @Option(help: "Folder for the scenario and its audio.")
    var out: String = "Scenarios/from-calls"

    @Option(help: "The clinic file as the scenario names it, under the scenarios folder (default clinics/<the trace's clinic>.yaml).")
    var clinic: String?

    func run() throws {
        do {
            let scenario = try ScenarioFromCall(tracePath: trace, clinicFile: clinic)
            let path = try scenario.write(into: out)
            print("\(path): \(scenario.lines.count) caller lines from the recording; run it with `miadi run \(path)`")
        } catch {
            throw failOnBadInput(error.description)
        }
    }
}
