import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `junit.xml`: one test case per call (scenario × repeat), a failure with the reasons when it
/// failed, so any CI shows the run as tests. Built with an XML library: every reason is escaped.
public enum JUnitXML {
    public static func text(_ results: RunResults) -> String {
        let failures = results.calls.filter { !$0.passed }.count
        let seconds = results.calls.reduce(0) { $0 + $1.durationMs }
        let root = XMLElement(name: "testsuites")
        let suite = XMLElement(name: "testsuite")
        for (name, value) in [("name", "miadi run"), ("tests", "\(results.calls.count)"), ("failures", "\(failures)"), ("errors", "0"), ("time", seconds3(seconds))] {
            root.addAttribute(attribute(name, value))
            suite.addAttribute(attribute(name, value))
        }
        for call in results.calls {
            let test = XMLElement(name: "testcase")
            test.addAttribute(attribute("classname", call.scenario))
            test.addAttribute(attribute("name", call.call))
            test.addAttribute(attribute("time", seconds3(call.durationMs)))
            if !call.passed {
                let failure = XMLElement(name: "failure", stringValue: call.failures.joined(separator: "\n"))
                failure.addAttribute(attribute("message", call.failures.first ?? "failed"))
                test.addChild(failure)
            }
            suite.addChild(test)
        }
        root.addChild(suite)
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlString(options: [.nodePrettyPrint]) + "\n"
    }

    /// Call time as JUnit's seconds, three decimals.
    static func seconds3(_ ms: Int) -> String { "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)" }

    static func attribute(_ name: String, _ value: String) -> XMLNode {
        XMLNode.attribute(withName: name, stringValue: value) as! XMLNode
    }
}
