import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MiadiReports
import MiadiScoring
import Testing

@Suite("report.md and index.html")
struct RunReportTests {
    typealias T = RunResultsTests

    static let pages: [String: CallPage] = [
        "a": CallPage(caller: [1000..<3000], agent: [300..<900, 4200..<6000], marks: [ReportMark(tMs: 4000, kind: .tool, label: "find_slots"),
                      ReportMark(tMs: 9000, kind: .commit, label: "commit booking"), ReportMark(tMs: 9000, kind: .tool, label: "confirm_proposal")], recording: "calls/a.wav"),
    ]

    static var results: RunResults {
        RunResults(run: T.run, calls: [T.call("a", group: "a", passed: true), T.call("b<&>", group: "b", passed: false, failures: ["outcome nothing, expected <booked>"])])
    }

    @Test("every part is there, failures escaped, same bytes for the same run")
    func content() {
        let report = RunReport.make(Self.results, pages: Self.pages)
        #expect(report == RunReport.make(Self.results, pages: Self.pages))
        #expect(report.markdown.hasPrefix("# Miadi run: 1/2 calls passed"))
        #expect(report.markdown.contains("![timeline of a](charts/call-a.svg)"))
        #expect(report.markdown.contains("[recording](calls/a.wav)"))
        #expect(report.html.contains("<audio controls preload=\"none\" src=\"calls/a.wav\"></audio>"))
        #expect(report.html.contains("outcome nothing, expected &lt;booked&gt;"))
        #expect(!report.html.contains("<script"), "readable without JavaScript")
        #expect(report.charts.map(\.name) == ["latency", "billed-seconds", "call-a"])
        // Marks at one moment share one label.
        #expect(report.charts[2].svg.contains("commit booking, confirm_proposal"))
    }

    @Test("every chart is well-formed XML")
    func wellFormed() {
        for chart in RunReport.make(Self.results, pages: Self.pages).charts {
            let parser = XMLParser(data: Data(chart.svg.utf8))
            #expect(parser.parse(), "\(chart.name): \(parser.parserError.map { "\($0)" } ?? "")")
        }
        #expect(XMLParser(data: Data(SVGChart.histogram([], binMs: 250, title: "t").utf8)).parse())
    }

    @Test("the latency histogram counts every value once")
    func histogram() {
        let svg = SVGChart.histogram([100, 200, 300, 1200], binMs: 250, title: "t")
        #expect(svg.contains("<title>0–250 ms: 2</title>"))
        #expect(svg.contains("<title>250–500 ms: 1</title>"))
        #expect(svg.contains("<title>1000–1250 ms: 1</title>"))
    }
}
