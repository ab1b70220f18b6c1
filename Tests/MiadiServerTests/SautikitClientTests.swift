import Foundation
import Hummingbird
import Logging
import MiadiAgent
import MiadiServer
import NIOCore
import MiadiTestSupport
import Testing

/// A local stand-in for the Sautikit API that checks each request as the real one would
/// (method, path, bearer token, JSON body) and answers from a script.
actor FakeSautikit {
    var seen: [String] = []
    var failuresBeforeSuccess: [String: [Int]] = [:]

    func record(_ line: String) { seen.append(line) }
    func failFirst(_ key: String, with statuses: [Int]) { failuresBeforeSuccess[key] = statuses }
    func nextFailure(_ key: String) -> Int? {
        guard var list = failuresBeforeSuccess[key], !list.isEmpty else { return nil }
        let status = list.removeFirst()
        failuresBeforeSuccess[key] = list
        return status
    }

    static func run(_ fake: FakeSautikit, _ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        @Sendable func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
            Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.middlewares.add(AuthCheck())
        router.post("/v1/numbers") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 10_000)
            await fake.record("POST /v1/numbers \(String(buffer: body)) \(request.headers[.contentType] ?? "")")
            if let status = await fake.nextFailure("claim") { return json(.init(code: status), #"{"error":{"message":"slow down"}}"#) }
            return json(.created, #"{"id":"num_123","number":"+254709000100","routing_url":null}"#)
        }
        router.patch("/v1/numbers/:id") { request, context -> Response in
            let body = try await request.body.collect(upTo: 10_000)
            let id = context.parameters.get("id") ?? ""
            await fake.record("PATCH /v1/numbers/\(id) \(String(buffer: body))")
            let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String]
            guard let url = object?["routing_url"], url.hasPrefix("https://") else {
                return json(.unprocessableContent, #"{"error":{"field":"routing_url","message":"must be an https URL"}}"#)
            }
            guard id == "num_123" else { return json(.notFound, #"{"error":{"message":"no such number"}}"#) }
            return json(.ok, #"{"id":"num_123","number":"+254709000100","routing_url":"\#(url)"}"#)
        }
        router.get("/v1/calls/:sid") { request, context -> Response in
            let sid = context.parameters.get("sid") ?? ""
            await fake.record("GET /v1/calls/\(sid)")
            if let status = await fake.nextFailure("call") { return Response(status: .init(code: status), headers: [.retryAfter: "0"]) }
            return json(.ok, #"{"call_sid":"\#(sid)","status":"completed","duration":41.2,"billed_seconds":42,"cost_kes":8.4,"from":"+254711000002","to":"+254709000100"}"#)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: { var l = Logger(label: "fake.sautikit"); l.logLevel = .critical; return l }())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    struct AuthCheck<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard request.headers[.authorization] == "Bearer sk-test" else {
                return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"invalid API key"}}"#)))
            }
            return try await next(request, context)
        }
    }
}

/// Records the backoffs a client asked for, instead of sleeping.
actor Waits {
    var all: [Duration] = []
    func add(_ d: Duration) { all.append(d) }
}

@Suite("Sautikit REST client against a local API", .serialized, .tags(.sockets), .timeLimit(.minutes(3)))
struct SautikitClientTests {
    func client(_ base: String, key: String = "sk-test", waits: Waits) throws -> SautikitClient {
        var client = try SautikitClient(baseURL: base, apiKey: key)
        client.wait = { await waits.add($0) }
        // The local API shares two cores with the rest of `swift test`: patience, not retries.
        client.requestTimeout = .seconds(90)
        return client
    }

    @Test("claim and route send the right method, path, token and JSON body")
    func claimAndRoute() async throws {
        let fake = FakeSautikit()
        try await FakeSautikit.run(fake) { base in
            let c = try client(base, waits: Waits())
            let number = try await c.claimNumber(country: "KE")
            #expect(number == SautikitNumber(id: "num_123", number: "+254709000100", routingURL: nil))
            let routed = try await c.route(numberID: "num_123", to: "https://miadi.example.com/voice")
            #expect(routed.routingURL == "https://miadi.example.com/voice")
        }
        let seen = await fake.seen
        #expect(seen == [#"POST /v1/numbers {"country":"KE"} application/json"#, #"PATCH /v1/numbers/num_123 {"routing_url":"https:\/\/miadi.example.com\/voice"}"#])
    }

    @Test("4xx is a typed error naming the field; a bad key is refused; 429 and 5xx are retried with backoff")
    func errorsAndRetries() async throws {
        let fake = FakeSautikit()
        try await FakeSautikit.run(fake) { base in
            let waits = Waits()
            let c = try client(base, waits: waits)
            await #expect(throws: SautikitError.refused(status: 422, field: "routing_url", message: "must be an https URL")) {
                try await c.route(numberID: "num_123", to: "http://plain")
            }
            await #expect(throws: SautikitError.refused(status: 401, field: nil, message: "invalid API key")) {
                try await client(base, key: "sk-wrong", waits: waits).claimNumber()
            }
            await fake.failFirst("claim", with: [429, 503])
            #expect(try await c.claimNumber().id == "num_123")
            #expect(await waits.all == [.milliseconds(500), .milliseconds(1000)])
            await fake.failFirst("call", with: [500, 502, 503, 504])
            await #expect(throws: SautikitError.unavailable(status: 504, attempts: 4)) { try await c.call("CA1") }
            #expect(await waits.all.suffix(3) == [.seconds(0), .seconds(0), .seconds(0)], "Retry-After is honoured")
        }
        #expect(throws: SautikitError.missingAPIKey) { try SautikitClient(baseURL: "http://x", apiKey: nil) }
    }

    @Test("a call record reconciles with its trace: per-second billing rounds up")
    func reconcile() async throws {
        let fake = FakeSautikit()
        try await FakeSautikit.run(fake) { base in
            let record = try await client(base, waits: Waits()).call("CA-42")
            #expect(record.billedSeconds == 42)
            #expect(record.costKES == 8.4)
            var trace = CallTrace(header: TraceHeader(callSID: "CA-42", source: "serve", clinic: "whitedent-nairobi", language: "en", now: "2026-03-02T09:15:00+03:00", provider: "echo", model: "echo-1", line: .object([:]), miadiVersion: "test"))
            trace.append(TraceEvent(tMs: 41_200, type: "call.ended", fields: ["duration_ms": 41_200, "billed_seconds": 42]))
            let ok = CallReconciliation(record: record, trace: trace)
            #expect(ok.agrees)
            #expect(ok.summary.contains("agrees"))
            var long = trace
            long.append(TraceEvent(tMs: 45_000, type: "call.ended", fields: ["duration_ms": 45_000, "billed_seconds": 45]))
            #expect(CallReconciliation(record: record, trace: long).differenceSeconds == -3)
        }
    }
}
