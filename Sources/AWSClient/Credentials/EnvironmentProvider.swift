import AWSSigner
import Foundation

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (or the legacy
/// `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`.
public struct EnvironmentProvider: CredentialProvider {
    public var environment: AWSEnvironment
    public var name: String { "environment variables" }
    public init(environment: AWSEnvironment) { self.environment = environment }

    public func load() async throws -> AWSCredentials? {
        let keyId = environment["AWS_ACCESS_KEY_ID"], secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (keyId, secret) {
        case (nil, nil): return nil
        case (nil, _): throw CredentialError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (_, nil): throw CredentialError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case let (keyId?, secret?):
            var expiration: Date?
            if let raw = environment["AWS_CREDENTIAL_EXPIRATION"] {
                guard let date = Timestamps.iso8601(raw) else {
                    throw CredentialError("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time (e.g. 2026-11-25T18:00:00Z)")
                }
                // Nothing refreshes environment variables: expired keys would only fail later, call by call.
                guard date > Date() else {
                    throw CredentialError("the credentials in the environment expired at \(Timestamps.iso8601String(date)) (AWS_CREDENTIAL_EXPIRATION)",
                                          hint: "export fresh ones from where these came from (e.g. `aws configure export-credentials`), or unset them to use a profile")
                }
                expiration = date
            }
            return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"],
                                  expiration: expiration)
        }
    }
}

/// Static keys of a profile in one of the two shared files (`aws_access_key_id`,
/// `aws_secret_access_key`, `aws_session_token`).
public struct ProfileKeysProvider: CredentialProvider {
    public enum File: Sendable { case credentials, config }
    public var profile: Profile
    public var file: File
    public var path: String

    public init(profile: Profile, file: File, path: String) {
        self.profile = profile
        self.file = file
        self.path = path
    }

    public var name: String {
        file == .credentials ? "shared credentials file (\(path), profile \(profile.name))"
            : "config file keys (\(path), profile \(profile.name))"
    }

    public func load() async throws -> AWSCredentials? {
        let values = SharedConfig.strings(file == .credentials ? profile.credentialsValues : profile.configValues)
        guard let keyId = values["aws_access_key_id"] else { return nil }
        guard let secret = values["aws_secret_access_key"] else {
            throw CredentialError("profile \(profile.name) in \(path) has aws_access_key_id but no aws_secret_access_key")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                              sessionToken: values["aws_session_token"] ?? values["aws_security_token"])
    }
}
