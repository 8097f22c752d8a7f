import AWSSigner
import Foundation

/// ECS/CodeBuild/EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (on 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https anywhere, http only
/// to loopback or the container hosts), with `Authorization` from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
/// 2 s timeout, 3 attempts.
public struct ContainerProvider: CredentialProvider {
    public var environment: AWSEnvironment
    public var transport: any HTTPTransport
    public init(environment: AWSEnvironment, transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public var name: String {
        environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil ? "container credentials (relative URI)"
            : environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil ? "container credentials (full URI)" : "container credentials"
    }

    static let allowedHTTPHosts: Set<String> = ["127.0.0.1", "localhost", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "::1", "[::1]"]

    public func load() async throws -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard let parsed = URL(string: full), let scheme = parsed.scheme?.lowercased(), let host = parsed.host?.lowercased() else {
                throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: \(full)")
            }
            guard scheme == "https" || (scheme == "http" && (Self.allowedHTTPHosts.contains(host) || host.hasPrefix("127."))) else {
                throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback or container-metadata address: \(full)")
            }
            url = full
        } else {
            return nil
        }
        var headers: [(name: String, value: String)] = []
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CredentialError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            headers.append(("Authorization", String(decoding: data, as: UTF8.self)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        if let value = headers.first?.value, value.contains("\r") || value.contains("\n") {
            throw CredentialError("the container authorization token contains a line break")
        }
        var lastError: Error = CredentialError("no answer")
        for _ in 0..<3 {
            do {
                let response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: 2))
                guard response.status == 200 else {
                    lastError = CredentialError("the container credentials endpoint answered HTTP \(response.status)")
                    if response.status < 500 { break }
                    continue
                }
                return try MetadataCredentials.parse(response.body, source: "container credentials endpoint")
            } catch let error as TransportError {
                lastError = error
            }
        }
        throw CredentialError("container credentials from \(url) failed: \(lastError)")
    }
}

/// The JSON both metadata services answer with.
enum MetadataCredentials {
    static func parse(_ body: Data, source: String) throws -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let keyId = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw CredentialError("the \(source) answered without credentials")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: object["Token"] as? String,
                              expiration: (object["Expiration"] as? String).flatMap(Timestamps.iso8601))
    }
}
