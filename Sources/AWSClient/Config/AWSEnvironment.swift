import Foundation

/// The process environment and home directory, injectable so that every resolution rule
/// (credentials, region, endpoints, files) is testable without touching the real ones.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String

    public init(variables: [String: String], homeDirectory: String) {
        self.variables = variables
        self.homeDirectory = homeDirectory
    }

    public static var process: AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: variables, homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }

    /// A variable's value; empty counts as unset, as in botocore.
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    public func flag(_ name: String) -> Bool { self[name]?.lowercased() == "true" }

    func expand(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst() }
        return path
    }

    public var configFilePath: String { expand(self["AWS_CONFIG_FILE"] ?? "~/.aws/config") }
    public var credentialsFilePath: String { expand(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials") }
    var ssoCacheDirectory: String { expand("~/.aws/sso/cache") }
    var assumeRoleCacheDirectory: String { expand("~/.aws/cli/cache") }
}
