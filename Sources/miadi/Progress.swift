import Foundation

/// One line of progress on a terminal, rewritten in place: done/total, a label and an ETA.
/// Silent when standard error is not a terminal or with `--quiet`, so logs and CI stay clean.
struct ProgressLine {
    let enabled: Bool
    // wall clock: progress display only, never written to any lab output
    private let started = ContinuousClock.now

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) != 0
    }

    func update(done: Int, total: Int, label: String) {
        guard enabled, total > 0 else { return }
        let elapsed = ContinuousClock.now - started   // wall clock: ETA only
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let eta = done > 0 ? seconds / Double(done) * Double(total - done) : 0
        let clipped = label.count > 50 ? String(label.prefix(47)) + "…" : label
        let line = String(format: "\r\u{1B}[2K[%d/%d] ETA %.0fs  %@", done, total, eta, clipped)
        FileHandle.standardError.write(Data(line.utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
