/// Where requests for a service go, and why (shown by `tsdeploy doctor`).
public struct ResolvedEndpoint: Sendable, Equatable {
    /// Scheme, host, optional port and optional base path; no trailing slash.
    public var url: String
    public var source: String
    /// Set for anything but AWS's own endpoints: S3 then uses path-style addressing.
    public var isCustom: Bool
}

/// botocore's configured-endpoint precedence, highest first: an explicit URL,
/// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services` section,
/// the profile's `endpoint_url`, then AWS's own host. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
/// (or `ignore_configured_endpoint_urls` in the profile) keeps only the explicit one.
public struct EndpointResolver: Sendable {
    public var environment: AWSEnvironment
    public var config: SharedConfig
    public var profile: Profile
    public var explicitURL: String?

    public init(environment: AWSEnvironment, config: SharedConfig, profile: Profile, explicitURL: String? = nil) {
        self.environment = environment
        self.config = config
        self.profile = profile
        self.explicitURL = explicitURL
    }

    public func resolve(_ service: AWSService, region: String) -> ResolvedEndpoint {
        if let explicitURL { return custom(explicitURL, "--endpoint-url") }
        let ignoreConfigured = environment.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            || profile["ignore_configured_endpoint_urls"]?.lowercased() == "true"
        if !ignoreConfigured {
            if let url = environment[service.environmentKey] { return custom(url, service.environmentKey) }
            if let url = environment["AWS_ENDPOINT_URL"] { return custom(url, "AWS_ENDPOINT_URL") }
            if let servicesName = profile["services"], let section = config.services(servicesName),
               case .nested(let block)? = section[service.configKey], let url = block["endpoint_url"] {
                return custom(url, "[services \(servicesName)] \(service.configKey).endpoint_url")
            }
            if let url = profile["endpoint_url"] { return custom(url, "profile \(profile.name) endpoint_url") }
        }
        return ResolvedEndpoint(url: "https://" + Self.awsHost(service, region: region), source: "AWS", isCustom: false)
    }

    private func custom(_ url: String, _ source: String) -> ResolvedEndpoint {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return ResolvedEndpoint(url: trimmed, source: source, isCustom: true)
    }

    /// Regional hosts; S3 in us-east-1 keeps its historical global name, as botocore.
    static func awsHost(_ service: AWSService, region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if service == .s3, region == "us-east-1" { return "s3.amazonaws.com" }
        return "\(service.hostPrefix).\(region).\(suffix)"
    }
}
