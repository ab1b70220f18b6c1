import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A phone number on Sautikit.
public struct SautikitNumber: Sendable, Equatable {
    public let id: String
    public let number: String
    public let routingURL: String?

    public init(id: String, number: String, routingURL: String?) {
        self.id = id
        self.number = number
        self.routingURL = routingURL
    }
}

/// A call detail record: what Sautikit billed.
public struct SautikitCallRecord: Sendable, Equatable {
    public let callSID: String
    public let status: String?
    public let durationSeconds: Double?
    public let billedSeconds: Int?
    public let costKES: Double?
    public let from: String?
    public let to: String?
}

/// The Sautikit REST API (`miadi numbers …`, `miadi calls show`): bearer auth, a configurable
/// base URL, retries with exponential backoff on 429 and 5xx (honouring `Retry-After`), and
/// typed errors that name the field the API complains about. A POST (claiming a number) is not
/// retried after a transport failure or a timeout: the API may have acted on it, and a retry
/// would claim a second number.
public struct SautikitClient: Sendable {
    public let baseURL: String
    let apiKey: String
    let http: HTTPClient
    /// Attempts per request, the first included.
    public var maximumAttempts = 4
    /// The first backoff; it doubles per retry.
    public var initialBackoff: Duration = .milliseconds(500)
    /// How long one attempt may take.
    public var requestTimeout: Duration = .seconds(15)
    /// Waits between retries; injectable so tests neither sleep nor change behaviour.
    public var wait: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }

    public init(baseURL: String, apiKey: String?, http: HTTPClient = .shared) throws(SautikitError) {
        guard let apiKey, !apiKey.isEmpty else { throw .missingAPIKey }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.http = http
    }

    /// `SAUTIKIT_API_KEY`, and `SAUTIKIT_API_URL` (default `https://api.sautikit.com`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(SautikitError) -> SautikitClient {
        try SautikitClient(baseURL: environment["SAUTIKIT_API_URL"] ?? "https://api.sautikit.com", apiKey: environment["SAUTIKIT_API_KEY"])
    }

    /// `POST /v1/numbers`: claims a number (optionally in a country, e.g. `KE`).
    public func claimNumber(country: String? = nil) async throws(SautikitError) -> SautikitNumber {
        var body: [String: String] = [:]
        if let country { body["country"] = country }
        let object = try await request(.POST, "/v1/numbers", body: body)
        return try Self.number(from: object)
    }

    /// `PATCH /v1/numbers/{number_id}`: points the number's calls at `routingURL` (the webhook).
    public func route(numberID: String, to routingURL: String) async throws(SautikitError) -> SautikitNumber {
        let object = try await request(.PATCH, "/v1/numbers/\(Self.pathSegment(numberID))", body: ["routing_url": routingURL])
        return try Self.number(from: object)
    }

    /// `GET /v1/calls/{call_sid}`: the call detail record.
    public func call(_ callSID: String) async throws(SautikitError) -> SautikitCallRecord {
        let o = try await request(.GET, "/v1/calls/\(Self.pathSegment(callSID))", body: nil)
        func string(_ k: String...) -> String? { k.lazy.compactMap { o[$0] as? String }.first }
        func double(_ k: String...) -> Double? { k.lazy.compactMap { (o[$0] as? NSNumber)?.doubleValue ?? (o[$0] as? String).flatMap(Double.init) }.first }
        guard let sid = string("call_sid", "sid", "id") else { throw .badResponse("the call record has no call_sid") }
        return SautikitCallRecord(
            callSID: sid, status: string("status"), durationSeconds: double("duration", "duration_seconds"),
            billedSeconds: double("billed_seconds", "billable_seconds").map { Int($0) }, costKES: double("cost_kes", "cost", "price"),
            from: string("from"), to: string("to"))
    }

    // MARK: Transport

    static func pathSegment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? s
    }

    static func number(from o: [String: Any]) throws(SautikitError) -> SautikitNumber {
        guard let id = (o["id"] as? String) ?? (o["number_id"] as? String), let number = (o["number"] as? String) ?? (o["phone_number"] as? String) else {
            throw .badResponse("a number needs id and number")
        }
        return SautikitNumber(id: id, number: number, routingURL: o["routing_url"] as? String)
    }

    func request(_ method: HTTPMethod, _ path: String, body: [String: String]?) async throws(SautikitError) -> [String: Any] {
        var lastStatus = 0
        var lastFailure = ""
        for attempt in 1...maximumAttempts {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "miadi/\(MiadiServerVersion.current)")
            if let body {
                let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: data))
            }
            let status: Int
            let data: Data
            var retryAfter: Duration?
            do {
                let response = try await http.execute(request, timeout: .init(requestTimeout))
                status = Int(response.status.code)
                let bytes = try await response.body.collect(upTo: 1 << 20)
                data = Data(buffer: bytes)
                if let value = response.headers.first(name: "Retry-After"), let seconds = Int(value) { retryAfter = .seconds(seconds) }
            } catch {
                lastFailure = "\(error)"
                // The API may have acted on a POST it never answered: not safe to send again.
                if method == .POST { throw .unreachable(lastFailure + " (a POST is not retried: check whether it took effect)") }
                if attempt < maximumAttempts { await wait(backoff(attempt)); continue }
                throw .unreachable(lastFailure)
            }
            if (200..<300).contains(status) {
                guard !data.isEmpty else { return [:] }
                guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw .badResponse("HTTP \(status) with a body that is not a JSON object")
                }
                return object
            }
            if status == 429 || status >= 500 {
                lastStatus = status
                if attempt < maximumAttempts { await wait(retryAfter ?? backoff(attempt)); continue }
                throw .unavailable(status: status, attempts: attempt)
            }
            throw Self.refusal(status: status, data: data)
        }
        throw .unavailable(status: lastStatus, attempts: maximumAttempts)
    }

    func backoff(_ attempt: Int) -> Duration { initialBackoff * (1 << (attempt - 1)) }

    /// A 4xx body, read as `{"error": {"field", "message"}}`, `{"field", "message"}` or text.
    static func refusal(status: Int, data: Data) -> SautikitError {
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        let inner = (object?["error"] as? [String: Any]) ?? object
        let message = (inner?["message"] as? String) ?? (object?["error"] as? String) ?? String(decoding: data.prefix(300), as: UTF8.self)
        return .refused(status: status, field: (inner?["field"] as? String) ?? (inner?["param"] as? String), message: message.isEmpty ? "HTTP \(status)" : message)
    }
}
