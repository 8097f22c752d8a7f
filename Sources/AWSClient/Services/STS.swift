import AWSSigner
import Foundation

public struct CallerIdentity: Sendable, Equatable {
    public var account: String
    public var arn: String
    public var userId: String
}

/// STS (query protocol, 2011-06-15).
public struct STSClient: Sendable {
    public let client: AWSClient
    static let version = "2011-06-15"
    public init(_ client: AWSClient) { self.client = client }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await client.query("GetCallerIdentity", version: Self.version)
        return CallerIdentity(account: result.string("Account") ?? "", arn: result.string("Arn") ?? "",
                              userId: result.string("UserId") ?? "")
    }

    public struct AssumeRoleInput: Sendable, Equatable {
        public var roleArn: String
        public var roleSessionName: String
        public var externalId: String?
        public var serialNumber: String?
        public var tokenCode: String?
        public var durationSeconds: Int?
        public init(roleArn: String, roleSessionName: String, externalId: String? = nil, serialNumber: String? = nil,
                    tokenCode: String? = nil, durationSeconds: Int? = nil) {
            self.roleArn = roleArn
            self.roleSessionName = roleSessionName
            self.externalId = externalId
            self.serialNumber = serialNumber
            self.tokenCode = tokenCode
            self.durationSeconds = durationSeconds
        }
    }

    public func assumeRole(_ input: AssumeRoleInput) async throws -> AWSCredentials {
        var p = QueryParameters()
        p.add("RoleArn", input.roleArn)
        p.add("RoleSessionName", input.roleSessionName)
        p.add("ExternalId", input.externalId)
        p.add("SerialNumber", input.serialNumber)
        p.add("TokenCode", input.tokenCode)
        p.add("DurationSeconds", input.durationSeconds)
        return try Self.credentials(try await client.query("AssumeRole", version: Self.version, p))
    }

    /// Unsigned when the client has no credentials, as the web identity provider uses it.
    public func assumeRoleWithWebIdentity(roleArn: String, roleSessionName: String, token: String) async throws -> AWSCredentials {
        var p = QueryParameters()
        p.add("RoleArn", roleArn)
        p.add("RoleSessionName", roleSessionName)
        p.add("WebIdentityToken", token)
        return try Self.credentials(try await client.query("AssumeRoleWithWebIdentity", version: Self.version, p))
    }

    static func credentials(_ result: XMLNode) throws -> AWSCredentials {
        guard let node = result.child("Credentials"), let keyId = node.string("AccessKeyId"),
              let secret = node.string("SecretAccessKey") else {
            throw AWSResponseError("STS answered without credentials")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: node.string("SessionToken"),
                              expiration: node.string("Expiration").flatMap(Timestamps.iso8601))
    }
}
