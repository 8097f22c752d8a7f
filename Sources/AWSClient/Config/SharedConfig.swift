import Foundation

/// One profile, seen through both shared files. Keys from the credentials file win over
/// the same keys in the config file (botocore's merge), but the chain still needs to know
/// where keys came from: static keys in each file are separate sources.
public struct Profile: Sendable {
    public var name: String
    public var configValues: [String: INIFile.Value]
    public var credentialsValues: [String: INIFile.Value]

    public subscript(key: String) -> String? {
        for source in [credentialsValues, configValues] {
            if case .string(let value)? = source[key] { return value }
        }
        return nil
    }

    public func nested(_ key: String) -> [String: String]? {
        if case .nested(let block)? = configValues[key] { return block }
        return nil
    }

    public var exists: Bool { !configValues.isEmpty || !credentialsValues.isEmpty }
}

/// `~/.aws/config` and `~/.aws/credentials`, parsed once. Missing files are empty.
public struct SharedConfig: Sendable {
    public var config: INIFile?
    public var credentials: INIFile?
    public var configPath: String
    public var credentialsPath: String

    public static func load(_ environment: AWSEnvironment) throws -> SharedConfig {
        func read(_ path: String) throws -> INIFile? {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return try INIFile(parsing: String(decoding: data, as: UTF8.self), path: path)
        }
        return SharedConfig(config: try read(environment.configFilePath),
                            credentials: try read(environment.credentialsFilePath),
                            configPath: environment.configFilePath,
                            credentialsPath: environment.credentialsFilePath)
    }

    public static let empty = SharedConfig(config: nil, credentials: nil, configPath: "", credentialsPath: "")

    /// In the config file a profile is `[default]` or `[profile NAME]` (a bare `[NAME]` is
    /// not a profile there); in the credentials file it is `[NAME]`.
    public func profile(_ name: String) -> Profile {
        var configValues = config?.section("profile \(name)") ?? [:]
        if name == "default", configValues.isEmpty { configValues = config?.section("default") ?? [:] }
        return Profile(name: name, configValues: configValues, credentialsValues: credentials?.section(name) ?? [:])
    }

    public func ssoSession(_ name: String) -> [String: String]? {
        config?.section("sso-session \(name)").map(Self.strings)
    }

    /// `[services NAME]`: per-service blocks such as `cloudformation =\n  endpoint_url = …`.
    public func services(_ name: String) -> [String: INIFile.Value]? { config?.section("services \(name)") }

    public var profileNames: [String] {
        var names: [String] = []
        for section in config?.sections ?? [] {
            if section.name == "default" { names.append("default") }
            if section.name.hasPrefix("profile ") { names.append(String(section.name.dropFirst(8))) }
        }
        for section in credentials?.sections ?? [] where !names.contains(section.name) { names.append(section.name) }
        return names
    }

    static func strings(_ values: [String: INIFile.Value]) -> [String: String] {
        values.compactMapValues { if case .string(let s) = $0 { s } else { nil } }
    }
}
