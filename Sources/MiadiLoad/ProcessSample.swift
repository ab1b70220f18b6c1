import Foundation

/// A server process's CPU time and resident memory, read from `/proc` (Linux): what
/// `miadi bench bridge` charges to the server it measures.
public struct ProcessSample: Sendable, Equatable {
    /// User plus system CPU time since the process started, seconds.
    public let cpuSeconds: Double
    /// Resident set size, bytes.
    public let residentBytes: Int

    /// Reads `/proc/<pid>/stat` and `/proc/<pid>/statm`; nil when the process is gone.
    public static func read(pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        // The command name (field 2) may hold spaces: fields are counted after its ")".
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let pages = statm.split(separator: " ")
        guard pages.count > 1, let resident = Int(pages[1]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessSample(cpuSeconds: (user + system) / ticks, residentBytes: resident * Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    public init(cpuSeconds: Double, residentBytes: Int) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
    }
}
