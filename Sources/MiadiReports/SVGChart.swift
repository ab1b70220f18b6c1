/// Charts as SVG text, drawn in Swift so a report reads without JavaScript. Integer
/// coordinates and fixed formatting: equal data give equal bytes.
enum SVGChart {
    static let font = "font-family=\"system-ui, sans-serif\" font-size=\"11\""

    /// A histogram of `values` (ms) in bins of `binMs`.
    static func histogram(_ values: [Int], binMs: Int, title: String) -> String {
        let width = 640, height = 200, left = 40, bottom = 30, top = 24
        guard let maxValue = values.max() else { return empty(title: title, width: width) }
        let bins = maxValue / binMs + 1
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[max(0, v) / binMs] += 1 }
        let peak = max(1, counts.max() ?? 1)
        let barWidth = max(2, (width - left - 10) / bins)
        var out = header(width: width, height: height, title: title)
        for (i, count) in counts.enumerated() where count > 0 {
            let h = count * (height - bottom - top) / peak
            let x = left + i * barWidth
            out += "<rect x=\"\(x)\" y=\"\(height - bottom - h)\" width=\"\(barWidth - 1)\" height=\"\(h)\" fill=\"#4a7fb5\"><title>\(i * binMs)–\((i + 1) * binMs) ms: \(count)</title></rect>"
        }
        out += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#555\"/>"
        let step = max(1, bins / 8)
        for i in stride(from: 0, through: bins, by: step) {
            out += "<text x=\"\(left + i * barWidth)\" y=\"\(height - bottom + 14)\" \(font) text-anchor=\"middle\">\(i * binMs)</text>"
        }
        out += "<text x=\"\(width - 10)\" y=\"\(height - 4)\" \(font) text-anchor=\"end\">ms</text>"
        out += "<text x=\"\(left - 6)\" y=\"\(top + 8)\" \(font) text-anchor=\"end\">\(peak)</text>"
        return out + "</svg>"
    }

    /// Horizontal bars, one per label.
    static func bars(_ rows: [(label: String, value: Int, failed: Bool)], unit: String, title: String) -> String {
        let width = 640, rowHeight = 16, left = 260, top = 24
        guard let peak = rows.map(\.value).max(), peak > 0 else { return empty(title: title, width: width) }
        let height = top + rows.count * rowHeight + 10
        var out = header(width: width, height: height, title: title)
        for (i, row) in rows.enumerated() {
            let y = top + i * rowHeight
            let w = row.value * (width - left - 60) / peak
            out += "<text x=\"\(left - 6)\" y=\"\(y + 11)\" \(font) text-anchor=\"end\">\(escape(row.label))</text>"
            out += "<rect x=\"\(left)\" y=\"\(y + 2)\" width=\"\(max(1, w))\" height=\"\(rowHeight - 4)\" fill=\"\(row.failed ? "#c0504d" : "#4a7fb5")\"/>"
            out += "<text x=\"\(left + w + 4)\" y=\"\(y + 11)\" \(font)>\(row.value) \(unit)</text>"
        }
        return out + "</svg>"
    }

    /// A call: the caller's and the agent's speech as heard on the line, and its marks.
    static func timeline(_ page: CallPage, durationMs: Int) -> String {
        let width = 900, left = 50, lane = 18, top = 8
        // Marks at the same moment share one line and one label.
        var moments: [(tMs: Int, kind: ReportMark.Kind, label: String)] = []
        for mark in page.marks {
            if let last = moments.last, last.tMs == mark.tMs {
                let strongest = [last.kind, mark.kind].first { $0 != .tool } ?? .tool
                moments[moments.count - 1] = (last.tMs, strongest, last.label + ", " + mark.label)
            } else {
                moments.append((mark.tMs, mark.kind, mark.label))
            }
        }
        let height = top + 2 * lane + 14 + (moments.isEmpty ? 0 : 42)
        let span = max(1, durationMs)
        func x(_ ms: Int) -> Int { left + ms * (width - left - 10) / span }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        out += "<text x=\"\(left - 6)\" y=\"\(top + 13)\" \(font) text-anchor=\"end\">caller</text>"
        out += "<text x=\"\(left - 6)\" y=\"\(top + lane + 13)\" \(font) text-anchor=\"end\">agent</text>"
        for r in page.caller {
            out += "<rect x=\"\(x(r.lowerBound))\" y=\"\(top + 2)\" width=\"\(max(1, x(r.upperBound) - x(r.lowerBound)))\" height=\"\(lane - 4)\" fill=\"#e39b3b\"><title>caller \(r.lowerBound)–\(r.upperBound) ms</title></rect>"
        }
        for r in page.agent {
            out += "<rect x=\"\(x(r.lowerBound))\" y=\"\(top + lane + 2)\" width=\"\(max(1, x(r.upperBound) - x(r.lowerBound)))\" height=\"\(lane - 4)\" fill=\"#4a7fb5\"><title>agent \(r.lowerBound)–\(r.upperBound) ms</title></rect>"
        }
        let axis = top + 2 * lane + 2
        out += "<line x1=\"\(left)\" y1=\"\(axis)\" x2=\"\(width - 10)\" y2=\"\(axis)\" stroke=\"#999\"/>"
        for s in stride(from: 0, through: durationMs, by: 10_000) {
            out += "<text x=\"\(x(s))\" y=\"\(axis + 11)\" \(font) text-anchor=\"middle\">\(s / 1000) s</text>"
        }
        for (i, mark) in moments.enumerated() {
            let color: String
            switch mark.kind {
            case .tool: color = "#777"
            case .commit: color = "#2e8b57"
            case .bargeIn: color = "#c0504d"
            case .handoff: color = "#8a2be2"
            }
            let mx = x(mark.tMs)
            // Three rows of labels, so neighbours do not overprint.
            let row = i % 3
            out += "<line x1=\"\(mx)\" y1=\"\(top)\" x2=\"\(mx)\" y2=\"\(axis + 14 + row * 12)\" stroke=\"\(color)\" stroke-width=\"\(mark.kind == .tool ? 1 : 2)\"><title>\(escape(mark.label)) at \(mark.tMs) ms</title></line>"
            // Near the right edge a label ends at its line instead of starting there.
            let anchor = mx > width - 220 ? "text-anchor=\"end\" x=\"\(mx - 2)\"" : "x=\"\(mx + 2)\""
            out += "<text \(anchor) y=\"\(axis + 24 + row * 12)\" \(font) fill=\"\(color)\">\(escape(mark.label))</text>"
        }
        return out + "</svg>"
    }

    static func header(width: Int, height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
            + "<text x=\"4\" y=\"14\" font-family=\"system-ui, sans-serif\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
    }

    static func empty(title: String, width: Int) -> String {
        header(width: width, height: 40, title: title) + "<text x=\"4\" y=\"32\" \(font)>no data</text></svg>"
    }

    /// Text for XML and HTML: &, <, >, " and ' escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
