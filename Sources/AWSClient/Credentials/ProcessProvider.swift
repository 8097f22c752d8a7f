import AWSSigner
import Foundation

/// `credential_process`: runs the command (split like a POSIX shell would, but without a
/// shell) and reads `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
/// "Expiration"?}` from its standard output. Its standard error passes through, so a
/// helper can prompt or explain.
public struct ProcessProvider: CredentialProvider {
    public var profile: Profile
    public init(profile: Profile) { self.profile = profile }

    public var name: String { "credential_process (profile \(profile.name))" }

    public func load() async throws -> AWSCredentials? {
        guard let command = profile["credential_process"] else { return nil }
        let arguments = try Self.split(command)
        guard let executable = arguments.first else { throw CredentialError("credential_process of profile \(profile.name) is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? Array(arguments.dropFirst()) : arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CredentialError("credential_process of profile \(profile.name) could not start \(executable): \(error.localizedDescription)")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CredentialError("credential_process of profile \(profile.name) exited with status \(process.terminationStatus)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CredentialError("credential_process of profile \(profile.name) did not print a JSON object")
        }
        guard (object["Version"] as? Int) == 1 else {
            throw CredentialError("credential_process of profile \(profile.name) printed Version \(object["Version"].map { "\($0)" } ?? "(none)"); only 1 is supported")
        }
        guard let keyId = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw CredentialError("credential_process of profile \(profile.name) printed no AccessKeyId/SecretAccessKey")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: object["SessionToken"] as? String,
                              expiration: (object["Expiration"] as? String).flatMap(Timestamps.iso8601))
    }

    /// POSIX shell word splitting (quotes and backslashes), as Python's `shlex.split`.
    static func split(_ command: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in command {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" || c == "\n" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw CredentialError("credential_process has an unterminated quote: \(command)") }
        if inWord { words.append(current) }
        return words
    }
}
