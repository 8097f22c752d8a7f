import Foundation

/// One HTTP exchange as the AWS layer sees it. `url` is sent exactly as given: it is what
/// was signed, so no layer below may re-encode it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// Seconds until the request is abandoned (connect and read).
    public var timeout: TimeInterval
    /// A file sent as the body, read in pieces while it is sent (`body` is then empty).
    public var bodyFile: String?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data = Data(),
                timeout: TimeInterval = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Failures below HTTP: the request may never have reached the server, so it is safe to
/// retry idempotent calls and the standard retry policy does.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case connection, timeout, invalidURL }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String {
        switch kind {
        case .timeout: "request timed out: \(message)"
        case .connection: "connection failed: \(message)"
        case .invalidURL: "invalid URL: \(message)"
        }
    }
}

/// Everything that sends bytes goes through this, so tests inject recorded responses,
/// faults and loopback servers without touching the clients.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
