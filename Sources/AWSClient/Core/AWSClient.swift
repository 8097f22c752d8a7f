import AWSSigner
import Foundation

/// Sends one operation to one service: builds the wire request, signs it (or not, for the
/// few unsigned STS/SSO calls), retries by the standard policy (re-signing each attempt),
/// corrects for clock skew, and turns error responses into `AWSError`. Never prints.
public struct AWSClient: Sendable {
    public let service: AWSService
    public let region: String
    public let endpoint: ResolvedEndpoint
    public let credentials: CredentialResolver?
    public let transport: any HTTPTransport
    public let retry: RetryStrategy
    public let clock: ClockSkew
    public var timeout: TimeInterval = 60
    /// Shared by the session's clients of this service and region (see AdaptiveRateLimiter).
    public var limiter: AdaptiveRateLimiter?

    public init(service: AWSService, region: String, endpoint: ResolvedEndpoint, credentials: CredentialResolver?,
                transport: any HTTPTransport, retry: RetryStrategy = RetryStrategy(), clock: ClockSkew = ClockSkew()) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.clock = clock
    }

    /// `path` and `query` are already percent-encoded; they are sent exactly as signed.
    public func send(operation: String, method: String = "POST", path: String = "/", query: String = "",
                     headers: [(String, String)] = [], body: Data = Data(),
                     payload: SigV4Signer.Payload = .hashed, signingRegion: String? = nil,
                     host: String? = nil, bodyFile: String? = nil) async throws -> HTTPResponse {
        var attempt = 1
        var spent = 0
        var skewRetried = false
        let base = host ?? endpoint.url
        let url = base + path + (query.isEmpty ? "" : "?" + query)
        while true {
            try Task.checkCancellation()
            await limiter?.acquire()
            var request = try SignableRequest(method: method, url: url, headers: headers, body: body)
            if let credentials {
                let signer = SigV4Signer(credentials: try await credentials.credentials(),
                                         service: service.signingName, region: signingRegion ?? region)
                signer.sign(&request, date: await clock.now(), payload: payload)
            }
            let failure: Error
            do {
                var outgoing = HTTPRequest(method: method, url: request.url, headers: request.headers, body: body, timeout: timeout)
                outgoing.bodyFile = bodyFile
                let response = try await transport.send(outgoing)
                let skewChanged = await clock.observe(serverDate: response.header("date"))
                if (200..<300).contains(response.status) {
                    limiter?.record(throttled: false)
                    await retry.quota.release(spent)
                    return response
                }
                let error = AWSError.parse(service: service.id, operation: operation, response: response)
                // 503 too: S3 throttles with 503 SlowDown, and a HEAD answer has no body to name it.
                limiter?.record(throttled: RetryStrategy.throttlingCodes.contains(error.code) || [429, 503].contains(response.status))
                if skewChanged, !skewRetried, RetryStrategy.clockSkewCodes.contains(error.code) {
                    skewRetried = true
                    continue
                }
                failure = error
            } catch let error as TransportError {
                failure = error
            }
            guard attempt < retry.maxAttempts, case .retry(let cost) = retry.decide(failure),
                  await retry.quota.acquire(cost) else { throw failure }
            spent += cost
            try await retry.sleep(retry.backoff(attempt: attempt))
            attempt += 1
        }
    }
}

/// Form parameters of the query protocol (`Parameters.member.1.ParameterKey=…`).
public struct QueryParameters: Sendable {
    public private(set) var items: [(String, String)] = []
    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        if let value { items.append((key, value)) }
    }
    public mutating func add(_ key: String, _ value: Bool?) { add(key, value.map { $0 ? "true" : "false" }) }
    public mutating func add(_ key: String, _ value: Int?) { add(key, value.map(String.init)) }

    /// `Key.member.N`; an empty list is sent as `Key=` (how a list is cleared).
    public mutating func addList(_ key: String, _ values: [String]?) {
        guard let values else { return }
        if values.isEmpty { items.append((key, "")) }
        for (i, value) in values.enumerated() { items.append(("\(key).member.\(i + 1)", value)) }
    }

    /// `Key.member.N.Field` for lists of structures.
    public mutating func addStructs(_ key: String, _ values: [[(String, String)]]?) {
        guard let values else { return }
        if values.isEmpty { items.append((key, "")) }
        for (i, fields) in values.enumerated() {
            for (field, value) in fields { items.append(("\(key).member.\(i + 1).\(field)", value)) }
        }
    }
}

extension AWSClient {
    /// A query-protocol call; returns the `<ActionResult>` element.
    public func query(_ action: String, version: String, _ parameters: QueryParameters = QueryParameters()) async throws -> XMLNode {
        let body = URIEncoding.form([("Action", action), ("Version", version)] + parameters.items)
        let response = try await send(operation: action, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                      body: Data(body.utf8))
        let root = try XMLNode.parse(response.body)
        return root.child("\(action)Result") ?? root
    }

    /// A JSON 1.1 call (`X-Amz-Target: <prefix>.<action>`).
    public func json<Output: Decodable>(_ target: String, operation: String, _ input: some Encodable,
                                        as output: Output.Type) async throws -> Output {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let body = try encoder.encode(input)
        let response = try await send(operation: operation, headers: [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target),
        ], body: body)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(Output.self, from: response.body.isEmpty ? Data("{}".utf8) : response.body)
        } catch {
            throw AWSResponseError("\(service.id) \(operation): unexpected response (\(error))")
        }
    }
}
