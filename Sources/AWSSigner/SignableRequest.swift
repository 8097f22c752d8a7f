import Foundation

/// An HTTP request as it goes on the wire. `path` and `query` are exactly the bytes sent
/// (already percent-encoded): SigV4 signs what is sent, so nothing may re-encode them
/// after signing.
public struct SignableRequest: Sendable {
    public var method: String
    public var scheme: String
    /// Host name, lower-cased, without port.
    public var host: String
    public var port: Int?
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: String, headers: [(String, String)] = [], body: Data = Data()) throws {
        guard let schemeEnd = url.range(of: "://") else { throw SigningError("not an absolute URL: \(url)") }
        self.method = method
        scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]"),
           let p = Int(authority[authority.index(after: colon)...]) {
            port = p
            host = authority[..<colon].lowercased()
        } else {
            port = nil
            host = authority.lowercased()
        }
        if let q = rest.firstIndex(of: "?") {
            path = String(rest[..<q])
            var afterQ = rest[rest.index(after: q)...]
            if let hash = afterQ.firstIndex(of: "#") { afterQ = afterQ[..<hash] }
            query = String(afterQ)
        } else {
            path = String(rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            query = ""
        }
        self.headers = headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    /// `host[:port]` with a default port dropped, as signed and sent in `Host`.
    public var hostHeader: String {
        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        if let port, port != defaultPort { return "\(host):\(port)" }
        return host
    }

    public var url: String { "\(scheme)://\(hostHeader)\(path)\(query.isEmpty ? "" : "?" + query)" }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public mutating func setHeader(_ name: String, _ value: String?) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value { headers.append((name, value)) }
    }
}

public struct SigningError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
