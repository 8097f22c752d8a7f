import AWSSigner
import Foundation

/// EC2 instance metadata, IMDSv2: a session token from `PUT /latest/api/token`, then the
/// role name and its credentials, both with `x-aws-ec2-metadata-token`. 1 s timeout and
/// one attempt (off EC2 there is nobody to wait for). A 403/404/405 to the token request
/// falls back to IMDSv1 as botocore does; `AWS_EC2_METADATA_DISABLED=true` turns it off;
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it.
public struct IMDSProvider: CredentialProvider {
    public var environment: AWSEnvironment
    public var transport: any HTTPTransport
    public var timeout: TimeInterval
    public init(environment: AWSEnvironment, transport: any HTTPTransport, timeout: TimeInterval = 1) {
        self.environment = environment
        self.transport = transport
        self.timeout = timeout
    }

    public var name: String { "EC2 instance metadata (IMDSv2)" }

    var endpoint: String {
        var url = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    public func load() async throws -> AWSCredentials? {
        if environment.flag("AWS_EC2_METADATA_DISABLED") { return nil }
        var headers: [(name: String, value: String)] = []
        do {
            let token = try await transport.send(HTTPRequest(method: "PUT", url: endpoint + "/latest/api/token",
                                                             headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
                                                             timeout: timeout))
            switch token.status {
            case 200: headers = [("x-aws-ec2-metadata-token", token.bodyText)]
            case 403, 404, 405: break
            default: return nil
            }
        } catch is TransportError {
            return nil  // Not on EC2.
        }
        let base = endpoint + "/latest/meta-data/iam/security-credentials/"
        guard let roles = try? await transport.send(HTTPRequest(method: "GET", url: base, headers: headers, timeout: timeout)),
              roles.status == 200,
              let role = roles.bodyText.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            return nil  // An instance without a role.
        }
        let response = try await transport.send(HTTPRequest(method: "GET", url: base + URIEncoding.encode(role),
                                                            headers: headers, timeout: timeout))
        guard response.status == 200 else {
            throw CredentialError("EC2 instance metadata answered HTTP \(response.status) for role \(role)")
        }
        return try MetadataCredentials.parse(response.body, source: "EC2 instance metadata service")
    }
}
