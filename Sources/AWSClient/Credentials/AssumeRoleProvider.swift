import AWSSigner
import Foundation

/// Asks for an MFA code; the default reads it from the terminal, and fails with a clear
/// message where there is none (CI).
public typealias MFAPrompt = @Sendable (_ serial: String) async throws -> String

/// A profile with `role_arn` and `source_profile` or `credential_source`: STS AssumeRole
/// signed with the source's credentials, with `external_id`, `mfa_serial`,
/// `role_session_name` and `duration_seconds`. Results are cached in `~/.aws/cli/cache`
/// under the AWS CLI's key, so an MFA code entered for the CLI is reused here and back.
public struct AssumeRoleProvider: CredentialProvider {
    public var profile: Profile
    public var source: CredentialResolver
    public var sourceName: String
    public var sts: @Sendable (CredentialResolver) -> STSClient
    public var prompt: MFAPrompt
    public var cacheDirectory: String?

    public init(profile: Profile, source: CredentialResolver, sourceName: String,
                sts: @escaping @Sendable (CredentialResolver) -> STSClient, prompt: @escaping MFAPrompt, cacheDirectory: String?) {
        self.profile = profile
        self.source = source
        self.sourceName = sourceName
        self.sts = sts
        self.prompt = prompt
        self.cacheDirectory = cacheDirectory
    }

    public var name: String { "assume role \(profile["role_arn"] ?? "") (profile \(profile.name), from \(sourceName))" }

    public func load() async throws -> AWSCredentials? {
        guard let roleArn = profile["role_arn"] else { return nil }
        let explicitName = profile["role_session_name"]
        var input = STSClient.AssumeRoleInput(
            roleArn: roleArn, roleSessionName: explicitName ?? "tsdeploy-\(Int(Date().timeIntervalSince1970))",
            externalId: profile["external_id"], serialNumber: profile["mfa_serial"],
            durationSeconds: profile["duration_seconds"].flatMap(Int.init))
        let cacheFile = cacheDirectory.map { "\($0)/\(Self.cacheKey(input, includeSessionName: explicitName != nil)).json" }
        if let cacheFile, let cached = Self.readCache(cacheFile), let expiration = cached.expiration,
           expiration.timeIntervalSinceNow > 15 * 60 {
            return cached
        }
        if let serial = input.serialNumber { input.tokenCode = try await prompt(serial) }
        let credentials = try await sts(source).assumeRole(input)
        if let cacheFile { Self.writeCache(cacheFile, credentials) }
        return credentials
    }

    /// The AWS CLI's cache key: SHA-1 of `json.dumps(args, sort_keys=True)` of the
    /// AssumeRole arguments (without a generated session name).
    static func cacheKey(_ input: STSClient.AssumeRoleInput, includeSessionName: Bool) -> String {
        var fields: [(String, String)] = [("RoleArn", "\"\(input.roleArn)\"")]
        if includeSessionName { fields.append(("RoleSessionName", "\"\(input.roleSessionName)\"")) }
        if let id = input.externalId { fields.append(("ExternalId", "\"\(id)\"")) }
        if let serial = input.serialNumber { fields.append(("SerialNumber", "\"\(serial)\"")) }
        if let duration = input.durationSeconds { fields.append(("DurationSeconds", String(duration))) }
        let json = "{" + fields.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        return CacheKey.sha1(json)
    }

    static func readCache(_ path: String) -> AWSCredentials? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let c = object["Credentials"] as? [String: Any], let keyId = c["AccessKeyId"] as? String,
              let secret = c["SecretAccessKey"] as? String else { return nil }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: c["SessionToken"] as? String,
                              expiration: (c["Expiration"] as? String).flatMap(Timestamps.iso8601))
    }

    static func writeCache(_ path: String, _ credentials: AWSCredentials) {
        var c: [String: Any] = ["AccessKeyId": credentials.accessKeyId, "SecretAccessKey": credentials.secretAccessKey]
        if let token = credentials.sessionToken { c["SessionToken"] = token }
        if let expiration = credentials.expiration { c["Expiration"] = Timestamps.iso8601String(expiration) }
        guard let data = try? JSONSerialization.data(withJSONObject: ["Credentials": c]) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        // Owner-only from the first byte: the file holds a secret.
        _ = FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
    }
}

/// Reads an MFA code from the controlling terminal.
public let terminalMFAPrompt: MFAPrompt = { serial in
    guard isatty(STDIN_FILENO) != 0 else {
        throw CredentialError("the profile needs an MFA code for \(serial), but there is no terminal to ask on",
                              hint: "run on a terminal, or use credentials without mfa_serial in CI")
    }
    FileHandle.standardError.write(Data("Enter MFA code for \(serial): ".utf8))
    guard let line = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
        throw CredentialError("no MFA code entered for \(serial)")
    }
    return line
}
