import Crypto
import Foundation

/// AWS Signature Version 4, for headers and presigned URLs.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
///
/// Deterministic: every method takes the signing date. Matches botocore byte for byte
/// (a differential test signs thousands of generated requests with both).
public struct SigV4Signer: Sendable {
    public enum Payload: Sendable {
        /// SHA-256 of the body (the only choice outside S3, and S3's default).
        case hashed
        /// `UNSIGNED-PAYLOAD`, for S3 over https only.
        case unsigned
        /// The hex SHA-256 of a body that is not in memory (streamed from a file).
        case precomputed(String)
    }

    public let credentials: AWSCredentials
    /// The signing name (`ecr` for `api.ecr.…`), not the host's first label.
    public let service: String
    public let region: String

    public init(credentials: AWSCredentials, service: String, region: String) {
        self.credentials = credentials
        self.service = service
        self.region = region
    }

    static let excludedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    var isS3: Bool { service == "s3" }

    /// Adds `X-Amz-Date`, the session token, S3's `X-Amz-Content-SHA256` and
    /// `Authorization`. Safe to call again on a retry: old auth headers are replaced.
    public func sign(_ request: inout SignableRequest, date: Date = Date(), payload: Payload = .hashed) {
        let (amzDate, day) = Self.timestamps(date)
        request.setHeader("Authorization", nil)
        request.setHeader("X-Amz-Date", amzDate)
        if let token = credentials.sessionToken { request.setHeader("X-Amz-Security-Token", token) }
        let payloadHash: String
        switch payload {
        case .unsigned where isS3: payloadHash = "UNSIGNED-PAYLOAD"
        case .precomputed(let hash): payloadHash = hash
        default: payloadHash = Self.hex(SHA256.hash(data: request.body))
        }
        if isS3 { request.setHeader("X-Amz-Content-SHA256", payloadHash) }

        let (signature, signedHeaders) = self.signature(request, payloadHash: payloadHash, amzDate: amzDate, day: day)
        request.setHeader("Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(day)), SignedHeaders=\(signedHeaders), Signature=\(signature)")
    }

    /// A presigned URL (query authentication) valid for `expires` seconds (1–604800).
    /// Only `host` is signed; the payload is `UNSIGNED-PAYLOAD` for S3.
    public func presign(_ request: SignableRequest, expires: Int, date: Date = Date()) throws -> String {
        guard (1...604_800).contains(expires) else { throw SigningError("presigned URLs expire after 1 to 604800 seconds") }
        let (amzDate, day) = Self.timestamps(date)
        var auth: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(day))"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { auth.append(("X-Amz-Security-Token", token)) }
        var signed = request
        signed.query = (request.query.isEmpty ? "" : request.query + "&") + URIEncoding.query(auth)
        signed.headers = []
        let payloadHash = isS3 ? "UNSIGNED-PAYLOAD" : Self.hex(SHA256.hash(data: request.body))
        let (signature, _) = self.signature(signed, payloadHash: payloadHash, amzDate: amzDate, day: day)
        signed.query += "&X-Amz-Signature=\(signature)"
        return signed.url
    }

    // MARK: canonical request parts

    /// S3 signs the path exactly as sent; other services sign it normalized (dot segments
    /// and empty segments removed) and encoded once more, so `%3A` is signed as `%253A`.
    func canonicalURI(_ path: String) -> String {
        if isS3 { return path.isEmpty ? "/" : path }
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." { _ = segments.popLast() } else { segments.append(segment) }
        }
        var normalized = (path.hasPrefix("/") ? "/" : "") + segments.joined(separator: "/")
        if path.hasSuffix("/"), !segments.isEmpty { normalized += "/" }
        return URIEncoding.encode(normalized, keeping: "/~")
    }

    /// The wire query's pairs sorted by key, then value (byte order), not re-encoded.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> (String, String) in
            if let eq = pair.firstIndex(of: "=") { return (String(pair[..<eq]), String(pair[pair.index(after: eq)...])) }
            return (String(pair), "")
        }
        return pairs.sorted { a, b in
            a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    func canonicalHeaders(_ request: SignableRequest) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in request.headers {
            let lower = name.lowercased()
            guard !Self.excludedHeaders.contains(lower), lower != "authorization" else { continue }
            values[lower, default: []].append(Self.trimAll(value))
        }
        if values["host"] == nil { values["host"] = [request.hostHeader] }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Trims the value and folds runs of white space into one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: signature

    func scope(_ day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// Canonical request → string to sign → signature; also returns the signed header names.
    func signature(_ request: SignableRequest, payloadHash: String, amzDate: String, day: String) -> (String, String) {
        let headers = canonicalHeaders(request)
        let canonical = [
            request.method.uppercased(), canonicalURI(request.path), Self.canonicalQuery(request.query),
            headers.block, headers.signed, payloadHash,
        ].joined(separator: "\n")
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(day))\n" + Self.hex(SHA256.hash(data: Data(canonical.utf8)))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day))
        return (Self.hex(signature), headers.signed)
    }

    func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ message: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
        }
        let kDate = hmac(SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8)), day)
        return hmac(hmac(hmac(kDate, region), service), "aws4_request")
    }

    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
