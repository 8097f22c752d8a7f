@testable import AWSClient
import AWSSigner
import Foundation
import Testing

@Suite struct CredentialTests {
    func chain(_ home: FakeHome, _ variables: [String: String] = [:], profile: String? = nil,
               transport: any HTTPTransport = ScriptedTransport([]),
               prompt: @escaping MFAPrompt = { _ in Issue.record("unexpected MFA prompt"); return "" }) throws -> AWSSession {
        try AWSSession(.init(profile: profile, region: "us-west-2", environment: home.environment(variables),
                             transport: transport, mfaPrompt: prompt, retry: noSleep))
    }

    @Test func environmentFirstUnlessAProfileIsNamed() async throws {
        let home = try FakeHome(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\n[other]\naws_access_key_id = OTHER\naws_secret_access_key = s\n")
        let env = ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t", "AWS_PROFILE": "other"]
        let session = try chain(home, env)
        #expect(try await session.credentials.credentials().accessKeyId == "ENVKEY")
        #expect(try await session.credentials.credentials().sessionToken == "t")
        #expect(try await session.credentials.sourceName() == "environment variables")
        // --profile skips the environment (AWS_PROFILE does not).
        let named = try chain(home, env, profile: "other")
        #expect(try await named.credentials.credentials().accessKeyId == "OTHER")
        #expect(try await named.credentials.sourceName().hasPrefix("shared credentials file"))
    }

    @Test func halfSetEnvironmentIsAnError() async throws {
        let session = try chain(try FakeHome(), ["AWS_ACCESS_KEY_ID": "AK"])
        await #expect(throws: CredentialError.self) { try await session.credentials.credentials() }
    }

    @Test func configFileKeysComeAfterCredentialProcess() async throws {
        let home = try FakeHome(config: "[profile p]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = s\n")
        let session = try chain(home, profile: "p")
        #expect(try await session.credentials.credentials().accessKeyId == "CONFIGKEY")
        #expect(try await session.credentials.sourceName().hasPrefix("config file keys"))
    }

    @Test func credentialProcess() async throws {
        let home = try FakeHome()
        try home.write("helper.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"tok\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n")
        chmod(home.path + "/helper.sh", 0o755)
        try home.write(".aws/config", "[profile p]\ncredential_process = \"\(home.path)/helper.sh\" --flag 'two words'\n")
        let session = try chain(home, profile: "p")
        let credentials = try await session.credentials.credentials()
        #expect(credentials.accessKeyId == "PROCKEY")
        #expect(credentials.expiration == Timestamps.iso8601("2099-01-01T00:00:00Z"))
        #expect(try ProcessProvider.split(#"/bin/x --a 'b c' "d\"e" f\ g"#) == ["/bin/x", "--a", "b c", "d\"e", "f g"])

        try home.write("bad.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'\n")
        chmod(home.path + "/bad.sh", 0o755)
        try home.write(".aws/config", "[profile p]\ncredential_process = \(home.path)/bad.sh\n")
        await #expect(throws: CredentialError.self) { try await chain(home, profile: "p").credentials.credentials() }
    }

    @Test func assumeRoleSignsWithTheSourceAndCachesLikeTheCLI() async throws {
        let home = try FakeHome(
            config: "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nexternal_id = ext\n",
            credentials: "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = base-secret\n")
        let transport = ScriptedTransport([xml(200, stsResult("AssumeRole", keyId: "ROLEKEY"))])
        let prompted = Counter()
        let session = try chain(home, profile: "admin", transport: transport, prompt: { serial in
            await prompted.increment()
            #expect(serial == "arn:aws:iam::123456789012:mfa/me")
            return "123456"
        })
        let credentials = try await session.credentials.credentials()
        #expect(credentials.accessKeyId == "ROLEKEY")
        #expect(credentials.sessionToken == "TOKEN-ROLEKEY")
        let request = try #require(transport.requests.first)
        #expect(request.header("Authorization")?.contains("Credential=BASEKEY/") == true)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("Action=AssumeRole") && body.contains("TokenCode=123456") && body.contains("ExternalId=ext"))
        #expect(await prompted.value == 1)

        // A second process reads the CLI-compatible cache: no STS call, no prompt.
        let cacheFiles = try FileManager.default.contentsOfDirectory(atPath: home.path + "/.aws/cli/cache")
        #expect(cacheFiles.count == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.path + "/.aws/cli/cache/" + cacheFiles[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let again = try chain(home, profile: "admin", transport: transport)
        #expect(try await again.credentials.credentials().accessKeyId == "ROLEKEY")
        #expect(transport.count == 1)
    }

    @Test func assumeRoleCacheKeyMatchesTheAWSCLI() {
        // sha1 of json.dumps({"RoleArn": "arn:aws:iam::123456789012:role/Admin"}, sort_keys=True)
        let key = AssumeRoleProvider.cacheKey(.init(roleArn: "arn:aws:iam::123456789012:role/Admin", roleSessionName: "x"), includeSessionName: false)
        #expect(key == "51e7b105b5040ce662656c8dc6ab4de70c4de7ad")
    }

    @Test func sourceProfileCycleIsAnError() throws {
        let home = try FakeHome(config: "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n")
        // a → b → a: b's source is a, which is being resolved.
        #expect(throws: CredentialError.self) { try chain(home, profile: "a") }
    }

    @Test func webIdentityIsUnsignedAndRereadsTheToken() async throws {
        let home = try FakeHome()
        try home.write("token", "eyJ.token.sig")
        let transport = ScriptedTransport([xml(200, stsResult("AssumeRoleWithWebIdentity", keyId: "WEBKEY"))])
        let session = try chain(home, ["AWS_WEB_IDENTITY_TOKEN_FILE": home.path + "/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/ci",
                                       "AWS_ROLE_SESSION_NAME": "gh-run"], transport: transport)
        #expect(try await session.credentials.credentials().accessKeyId == "WEBKEY")
        let request = try #require(transport.requests.first)
        #expect(request.header("Authorization") == nil)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("WebIdentityToken=eyJ.token.sig") && body.contains("RoleSessionName=gh-run"))
    }

    @Test func ssoUsesTheCachedTokenAndExplainsAMissingLogin() async throws {
        let config = "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Deployer\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
        let home = try FakeHome(config: config)
        do {
            _ = try await chain(home, profile: "sso").credentials.credentials()
            Issue.record("expected an error")
        } catch let error as CredentialError {
            #expect(error.hint == "run `aws sso login --profile sso`")
        }
        // The cache file is named by the SHA-1 of the session name, as the AWS CLI writes it.
        try home.write(".aws/sso/cache/\(CacheKey.sha1("corp")).json",
                       #"{"accessToken": "bearer-1", "expiresAt": "2099-01-01T00:00:00Z", "region": "eu-west-1"}"#)
        let transport = ScriptedTransport(handler: { request in
            #expect(request.url == "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=111122223333&role_name=Deployer")
            #expect(request.header("x-amz-sso_bearer_token") == "bearer-1")
            return HTTPResponse(status: 200, body: Data(#"{"roleCredentials":{"accessKeyId":"SSOKEY","secretAccessKey":"s","sessionToken":"t","expiration":4070908800000}}"#.utf8))
        })
        let credentials = try await chain(home, profile: "sso", transport: transport).credentials.credentials()
        #expect(credentials.accessKeyId == "SSOKEY")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 4_070_908_800))
        #expect(CacheKey.sha1("corp").count == 40)
    }

    @Test func expiredSSOTokenSaysLogIn() async throws {
        let home = try FakeHome(config: "[profile old]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n")
        try home.write(".aws/sso/cache/\(CacheKey.sha1("https://x.awsapps.com/start")).json",
                       #"{"accessToken": "a", "expiresAt": "2001-01-01T00:00:00Z"}"#)
        do {
            _ = try await chain(home, profile: "old").credentials.credentials()
            Issue.record("expected an error")
        } catch let error as CredentialError {
            #expect(error.message.contains("has expired"))
            #expect(error.hint == "run `aws sso login --profile old`")
        }
    }

    @Test func containerCredentialsOverLoopback() async throws {
        let server = try LoopbackServer { request in
            guard request.path == "/creds", request.headers["authorization"] == "Bearer abc" else { return (403, "") }
            return (200, #"{"AccessKeyId":"CONTAINERKEY","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
        }
        defer { server.stop() }
        let home = try FakeHome()
        let session = try AWSSession(.init(region: "us-west-2", environment: home.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer abc",
        ]), transport: NIOTransport(settings: .init())))
        #expect(try await session.credentials.credentials().accessKeyId == "CONTAINERKEY")
        #expect(try await session.credentials.sourceName() == "container credentials (full URI)")

        let remote = ContainerProvider(environment: home.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"]),
                                       transport: NIOTransport(settings: .init()))
        await #expect(throws: CredentialError.self) { try await remote.load() }
    }

    @Test func imdsV2OverLoopback() async throws {
        let server = try LoopbackServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" ? (200, "imds-token") : (400, "")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return request.headers["x-aws-ec2-metadata-token"] == "imds-token" ? (200, "InstanceRole") : (401, "")
            case ("GET", "/latest/meta-data/iam/security-credentials/InstanceRole"):
                return request.headers["x-aws-ec2-metadata-token"] == "imds-token"
                    ? (200, #"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"IMDSKEY","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
                    : (401, "")
            default: return (404, "")
            }
        }
        defer { server.stop() }
        let home = try FakeHome()
        let provider = IMDSProvider(environment: AWSEnvironment(variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url],
                                                                homeDirectory: home.path),
                                    transport: NIOTransport(settings: .init()))
        #expect(try await provider.load()?.accessKeyId == "IMDSKEY")
        #expect(server.requests.map(\.method) == ["PUT", "GET", "GET"])
        // Disabled, or nobody listening: not configured, so the chain moves on.
        let disabled = IMDSProvider(environment: AWSEnvironment(variables: ["AWS_EC2_METADATA_DISABLED": "true"], homeDirectory: home.path),
                                    transport: NIOTransport(settings: .init()))
        #expect(try await disabled.load() == nil)
        let nobody = IMDSProvider(environment: AWSEnvironment(variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"],
                                                              homeDirectory: home.path), transport: NIOTransport(settings: .init()))
        #expect(try await nobody.load() == nil)
    }

    @Test func noCredentialsNamesEverySourceTried() async throws {
        let session = try chain(try FakeHome())
        do {
            _ = try await session.credentials.credentials()
            Issue.record("expected an error")
        } catch let error as CredentialError {
            for source in ["environment variables", "web identity", "IAM Identity Center", "shared credentials file",
                           "credential_process", "config file keys", "container credentials", "EC2 instance metadata"] {
                #expect(error.message.contains(source), "missing \(source)")
            }
        }
    }

    @Test func refreshesBeforeExpiry() async throws {
        let clock = MutableClock(Date(timeIntervalSince1970: 1_000_000))
        let source = CountingProvider(clock: clock, lifetime: 3600)
        let resolver = CredentialResolver(providers: [source], now: { clock.now })
        #expect(try await resolver.credentials().accessKeyId == "KEY1")
        clock.advance(40 * 60)  // 20 minutes left: still fine
        #expect(try await resolver.credentials().accessKeyId == "KEY1")
        clock.advance(10 * 60)  // 10 minutes left: inside the refresh window
        #expect(try await resolver.credentials().accessKeyId == "KEY2")
        #expect(source.loads == 2)
    }

    @Test func secretsNeverAppearInDescriptions() {
        let credentials = AWSCredentials(accessKeyId: "AKIAABCDEFGHIJKL1234", secretAccessKey: "very-secret", sessionToken: "tok-secret")
        let text = "\(credentials) \(String(reflecting: credentials))"
        #expect(!text.contains("very-secret") && !text.contains("tok-secret") && !text.contains("AKIAABCDEFGHIJKL"))
        #expect(text.contains("1234"))
    }
}

actor Counter {
    var value = 0
    func increment() { value += 1 }
}

final class MutableClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

final class CountingProvider: CredentialProvider, @unchecked Sendable {
    let clock: MutableClock
    let lifetime: TimeInterval
    private let lock = NSLock()
    private var count = 0
    init(clock: MutableClock, lifetime: TimeInterval) {
        self.clock = clock
        self.lifetime = lifetime
    }
    var loads: Int { lock.withLock { count } }
    var name: String { "counting" }
    func load() async throws -> AWSCredentials? {
        let n = lock.withLock { count += 1; return count }
        return AWSCredentials(accessKeyId: "KEY\(n)", secretAccessKey: "s", sessionToken: "t", expiration: clock.now + lifetime)
    }
}
