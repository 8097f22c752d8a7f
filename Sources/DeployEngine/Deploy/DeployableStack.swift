import AWSClient
import CloudFormation
import ConstructCore
import Foundation

/// A synthesized stack as the engine needs it: the body to send, the parsed template to
/// compare, and the engine facts recorded at synthesis (buckets to empty, buckets whose
/// EventBridge delivery to enable, image parameters, outputs feeding parameters).
public struct DeployableStack: Sendable {
    public struct ImageParameter: Sendable, Equatable { public var parameter: String, repository: String }
    /// A file the engine publishes to the staging bucket under `key` (`{sha256}` replaced by the
    /// file's hash) before deploying, passing the hash in `parameter`; `source` names which file.
    public struct FileAsset: Sendable, Equatable { public var parameter: String, source: String, key: String }
    /// The stack tag that says whose a deployed stack is (e.g. `tsdeploy:branch` = `main`).
    public struct Owner: Sendable, Equatable, CustomStringConvertible {
        public var key: String, value: String
        public var description: String { "\(key.hasSuffix("branch") ? "branch" : key) '\(value)'" }
    }

    public var name: String
    public var displayName: String
    public var account: String?
    public var region: String?
    public var templateBody: String
    public var template: JSONValue
    public var tags: [CloudFormation.Tag]
    public var dependencies: [String]
    public var imageParameters: [ImageParameter] = []
    public var fileAssets: [FileAsset] = []
    /// The partition this stack is a part of: its base name and every part synthesized now.
    public var partition: (base: String, parts: [String])?
    /// A parameter that receives the toolkit qualifier deploy uses.
    public var qualifierParameter: String?
    /// Logical IDs of buckets tsdeploy owns and may empty before deleting them.
    public var emptyOnDelete: [String] = []
    public var eventBridgeBuckets: [String] = []
    public var owner: Owner?
    /// What every name this stack creates starts with, and the pattern its grants cover (NameScope).
    public var nameScope: (names: String, grants: String?)?
    public var parameterSources: [StackArtifact.ParameterSource]
    /// Logical ID → construct path, for diffs and recaps that name constructs.
    public var paths: [String: String]

    public init(_ artifact: StackArtifact) throws {
        name = artifact.stackName
        displayName = artifact.displayName
        account = artifact.environment.account
        region = artifact.environment.region
        templateBody = JSONWriter.compact(artifact.template.render())
        template = try JSONValue.parse(templateBody)
        tags = artifact.tags.sorted { $0.key < $1.key }.map { CloudFormation.Tag(key: $0.key, value: $0.value) }
        dependencies = artifact.dependencies
        parameterSources = artifact.parameterSources
        paths = Dictionary(artifact.logicalIds.map { ($0.logicalId, $0.path) }, uniquingKeysWith: { a, _ in a })
        for entry in artifact.engineMetadata {
            let data = try JSONValue.parse(JSONWriter.compact(entry.data))
            switch entry.type {
            case "tsdeploy:image-parameter":
                if let p = data["parameter"]?.stringValue, let r = data["repository"]?.stringValue {
                    imageParameters.append(ImageParameter(parameter: p, repository: r))
                }
            case "tsdeploy:file-asset":
                if let p = data["parameter"]?.stringValue, let s = data["source"]?.stringValue, let k = data["key"]?.stringValue {
                    fileAssets.append(FileAsset(parameter: p, source: s, key: k))
                }
            case "tsdeploy:partition":
                if let base = data["base"]?.stringValue {
                    partition = (base, data["parts"]?.arrayValue.compactMap(\.stringValue) ?? [artifact.stackName])
                }
            case "tsdeploy:qualifier-parameter":
                qualifierParameter = data["parameter"]?.stringValue
            case "tsdeploy:empty-on-delete":
                if let id = data["bucket"]?["Ref"]?.stringValue { emptyOnDelete.append(id) }
            case "tsdeploy:owner":
                if let key = data["tag"]?.stringValue, let value = data["value"]?.stringValue {
                    owner = Owner(key: key, value: value)
                    tags.removeAll { $0.key == key }
                    tags.append(CloudFormation.Tag(key: key, value: value))
                    tags.sort { $0.key < $1.key }
                }
            case NameScope.metadataType:
                if let names = data["names"]?.stringValue { nameScope = (names, data["grants"]?.stringValue) }
            case "tsdeploy:bucket-eventbridge-notifications":
                if let bucket = data["bucket"]?.stringValue { eventBridgeBuckets.append(bucket) }
            default: break
            }
        }
    }

    /// A stack known only by its template (a foreign stack being changed, a staged body).
    public init(name: String, account: String?, region: String?, templateBody: String, tags: [CloudFormation.Tag] = []) throws {
        self.name = name
        displayName = name
        self.account = account
        self.region = region
        self.templateBody = templateBody
        template = try JSONValue.parse(templateBody)
        self.tags = tags
        dependencies = []
        parameterSources = []
        paths = [:]
    }

    /// Template parameters with their defaults.
    public var parameterDefaults: [String: String?] {
        (template["Parameters"]?.objectValue ?? [:]).mapValues { $0["Default"]?.stringValue }
    }

    public var capabilities: [String] {
        let types = (template["Resources"]?.objectValue ?? [:]).values.compactMap { $0["Type"]?.stringValue }
        var caps: [String] = []
        if types.contains(where: { $0.hasPrefix("AWS::IAM::") }) { caps += ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"] }
        if template["Transform"] != nil { caps.append("CAPABILITY_AUTO_EXPAND") }
        return caps
    }
}
