import AWSSigner
import Foundation

/// IAM Identity Center: a profile with `sso_account_id` + `sso_role_name` and either
/// `sso_session` (its `[sso-session]` has `sso_start_url`, `sso_region`) or the legacy
/// `sso_start_url` + `sso_region`. Uses the token `aws sso login` cached in
/// `~/.aws/sso/cache/<sha1>.json`, refreshes it through SSO OIDC when it is about to
/// expire and can be refreshed, then trades it for role credentials at the portal.
public struct SSOProvider: CredentialProvider {
    public var profile: Profile
    public var config: SharedConfig
    public var environment: AWSEnvironment
    public var transport: any HTTPTransport
    /// Overrides the portal and OIDC hosts (tests, emulators).
    public var portalEndpoint: String?
    public var oidcEndpoint: String?
    public var now: @Sendable () -> Date

    public init(profile: Profile, config: SharedConfig, environment: AWSEnvironment, transport: any HTTPTransport,
                portalEndpoint: String? = nil, oidcEndpoint: String? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.profile = profile
        self.config = config
        self.environment = environment
        self.transport = transport
        self.portalEndpoint = portalEndpoint
        self.oidcEndpoint = oidcEndpoint
        self.now = now
    }

    public var name: String { "IAM Identity Center (profile \(profile.name))" }

    struct Settings { var startURL: String, region: String, cacheKey: String, sessionName: String? }

    func settings() throws -> Settings? {
        guard profile["sso_account_id"] != nil || profile["sso_session"] != nil || profile["sso_start_url"] != nil else { return nil }
        if let sessionName = profile["sso_session"] {
            guard let session = config.ssoSession(sessionName) else {
                throw CredentialError("profile \(profile.name) names sso_session \(sessionName), but \(config.configPath) has no [sso-session \(sessionName)]")
            }
            guard let url = session["sso_start_url"], let region = session["sso_region"] else {
                throw CredentialError("[sso-session \(sessionName)] needs sso_start_url and sso_region")
            }
            return Settings(startURL: url, region: region, cacheKey: CacheKey.sha1(sessionName), sessionName: sessionName)
        }
        guard let url = profile["sso_start_url"], let region = profile["sso_region"] else {
            throw CredentialError("profile \(profile.name) needs sso_session, or sso_start_url and sso_region")
        }
        return Settings(startURL: url, region: region, cacheKey: CacheKey.sha1(url), sessionName: nil)
    }

    public func load() async throws -> AWSCredentials? {
        guard let settings = try settings() else { return nil }
        guard let account = profile["sso_account_id"], let role = profile["sso_role_name"] else {
            throw CredentialError("profile \(profile.name) needs sso_account_id and sso_role_name")
        }
        let login = "aws sso login --profile \(profile.name)"
        let cachePath = "\(environment.ssoCacheDirectory)/\(settings.cacheKey).json"
        guard let data = FileManager.default.contents(atPath: cachePath),
              var token = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let accessToken = token["accessToken"] as? String,
              let expiresAt = (token["expiresAt"] as? String).flatMap(Timestamps.iso8601) else {
            throw CredentialError("no IAM Identity Center login found for profile \(profile.name)", hint: "run `\(login)`")
        }
        var bearer = accessToken
        let remaining = expiresAt.timeIntervalSince(now())
        if remaining < 15 * 60, settings.sessionName != nil, let refreshed = try? await refresh(token, settings) {
            token.merge(refreshed) { _, new in new }
            bearer = refreshed["accessToken"] as? String ?? bearer
            if let fresh = try? JSONSerialization.data(withJSONObject: token, options: [.sortedKeys]) {
                _ = FileManager.default.createFile(atPath: cachePath, contents: fresh, attributes: [.posixPermissions: 0o600])
            }
        } else if remaining <= 0 {
            throw CredentialError("the IAM Identity Center login for profile \(profile.name) has expired", hint: "run `\(login)`")
        }

        let portal = portalEndpoint ?? "https://portal.sso.\(settings.region).amazonaws.com"
        let url = "\(portal)/federation/credentials?account_id=\(URIEncoding.encode(account))&role_name=\(URIEncoding.encode(role))"
        let response = try await transport.send(HTTPRequest(method: "GET", url: url,
                                                            headers: [("x-amz-sso_bearer_token", bearer)], timeout: 30))
        if response.status == 401 || response.status == 403 {
            throw CredentialError("IAM Identity Center refused the cached login for profile \(profile.name) (HTTP \(response.status))",
                                  hint: "run `\(login)`; check that role \(role) is assigned in account \(account)")
        }
        guard response.status == 200,
              let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let c = object["roleCredentials"] as? [String: Any],
              let keyId = c["accessKeyId"] as? String, let secret = c["secretAccessKey"] as? String else {
            throw AWSError.parse(service: "SSO", operation: "GetRoleCredentials", response: response)
        }
        let expiration = (c["expiration"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: c["sessionToken"] as? String,
                              expiration: expiration)
    }

    func refresh(_ token: [String: Any], _ settings: Settings) async throws -> [String: Any]? {
        guard let clientId = token["clientId"] as? String, let clientSecret = token["clientSecret"] as? String,
              let refreshToken = token["refreshToken"] as? String else { return nil }
        let body = try JSONSerialization.data(withJSONObject: [
            "grantType": "refresh_token", "clientId": clientId, "clientSecret": clientSecret, "refreshToken": refreshToken,
        ])
        let oidc = oidcEndpoint ?? "https://oidc.\(settings.region).amazonaws.com"
        let response = try await transport.send(HTTPRequest(method: "POST", url: "\(oidc)/token",
                                                            headers: [("Content-Type", "application/json")], body: body, timeout: 30))
        guard response.status == 200,
              let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let access = object["accessToken"] as? String, let expiresIn = object["expiresIn"] as? Int else { return nil }
        var updated: [String: Any] = ["accessToken": access,
                                      "expiresAt": Timestamps.iso8601String(now().addingTimeInterval(TimeInterval(expiresIn)))]
        if let newRefresh = object["refreshToken"] as? String { updated["refreshToken"] = newRefresh }
        return updated
    }
}
