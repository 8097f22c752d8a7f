import AWSSigner
import Foundation

/// OIDC federation as CI systems use it: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`
/// (+ `AWS_ROLE_SESSION_NAME`), or the profile's `web_identity_token_file` + `role_arn`.
/// The token file is read again on every refresh (CI rotates it) and sent verbatim in
/// an unsigned AssumeRoleWithWebIdentity call.
public struct WebIdentityProvider: CredentialProvider {
    public var environment: AWSEnvironment
    public var profile: Profile
    public var sts: STSClient

    public init(environment: AWSEnvironment, profile: Profile, sts: STSClient) {
        self.environment = environment
        self.profile = profile
        self.sts = sts
    }

    var tokenFile: String? { environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? profile["web_identity_token_file"] }
    var roleArn: String? { environment["AWS_ROLE_ARN"] ?? profile["role_arn"] }

    public var name: String { "web identity (\(roleArn ?? "no role"))" }

    public func load() async throws -> AWSCredentials? {
        guard let tokenFile else { return nil }
        guard let roleArn else {
            throw CredentialError("a web identity token file is set (\(tokenFile)) but no role: set AWS_ROLE_ARN")
        }
        guard let data = FileManager.default.contents(atPath: environment.expand(tokenFile)) else {
            throw CredentialError("cannot read the web identity token file \(tokenFile)")
        }
        let session = environment["AWS_ROLE_SESSION_NAME"] ?? profile["role_session_name"]
            ?? "tsdeploy-\(Int(Date().timeIntervalSince1970))"
        return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, roleSessionName: session,
                                                       token: String(decoding: data, as: UTF8.self))
    }
}
