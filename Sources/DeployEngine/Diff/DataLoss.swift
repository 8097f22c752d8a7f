import AWSClient

/// Resources whose deletion loses what users put in them, and the changes that would
/// delete one: removal without a retaining DeletionPolicy, or replacement without a
/// retaining UpdateReplacePolicy (CloudFormation deletes the old one after creating the new).
public struct DataLoss: Sendable, Equatable {
    public enum Cause: String, Sendable { case removal = "deleted", replacement = "replaced" }
    public var logicalId: String
    public var type: String
    public var physicalId: String?
    public var cause: Cause

    public static let dataTypes: Set<String> = [
        "AWS::S3::Bucket", "AWS::S3Express::DirectoryBucket", "AWS::ECR::Repository", "AWS::Logs::LogGroup",
        "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Cognito::UserPool", "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster", "AWS::EFS::FileSystem", "AWS::Kinesis::Stream", "AWS::SQS::Queue",
        "AWS::SecretsManager::Secret", "AWS::KMS::Key", "AWS::Backup::BackupVault", "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain", "AWS::Timestream::Table", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster",
        "AWS::Redshift::Cluster", "AWS::MWAA::Environment", "AWS::Glue::Database", "AWS::SSM::Parameter",
    ]

    static let keepingPolicies: Set<String> = ["Retain", "RetainExceptOnCreate", "Snapshot"]

    public var description: String {
        "\(type) \(logicalId)" + (physicalId.map { " (\($0))" } ?? "") + " would be \(cause.rawValue)"
    }

    /// From the template diff: what removing or replacing resources would delete.
    static func predicted(old: JSONValue?, changes: [TemplateDiff.ResourceChange]) -> [DataLoss] {
        let oldResources = old?["Resources"]?.objectValue ?? [:]
        return changes.compactMap { change in
            let oldType = oldResources[change.logicalId]?["Type"]?.stringValue ?? change.type
            guard dataTypes.contains(oldType), let before = oldResources[change.logicalId] else { return nil }
            switch change.kind {
            case .removed where !keepingPolicies.contains(before["DeletionPolicy"]?.stringValue ?? "Delete"):
                return DataLoss(logicalId: change.logicalId, type: oldType, cause: .removal)
            case .modified where change.replacement != .never
                && !keepingPolicies.contains(before["UpdateReplacePolicy"]?.stringValue ?? "Delete"):
                return DataLoss(logicalId: change.logicalId, type: oldType, cause: .replacement)
            default:
                return nil
            }
        }
    }

    /// What CloudFormation's change set says, joined with the prediction: a change set from
    /// AWS names replacements the template diff cannot see (dynamic values), and an emulator's
    /// names none.
    public static func inChangeSet(_ changes: [CloudFormation.ResourceChange], old: JSONValue?, predicted: [DataLoss]) -> [DataLoss] {
        var out = predicted
        let oldResources = old?["Resources"]?.objectValue ?? [:]
        for change in changes where dataTypes.contains(change.resourceType) {
            let before = oldResources[change.logicalId]
            let cause: Cause
            if change.action == "Remove", !keepingPolicies.contains(before?["DeletionPolicy"]?.stringValue ?? "Delete") {
                cause = .removal
            } else if change.action == "Modify", change.replacement == "True" || change.replacement == "Conditional",
                      !keepingPolicies.contains(before?["UpdateReplacePolicy"]?.stringValue ?? "Delete") {
                cause = .replacement
            } else {
                continue
            }
            if let i = out.firstIndex(where: { $0.logicalId == change.logicalId }) {
                out[i].physicalId = out[i].physicalId ?? change.physicalId
            } else {
                out.append(DataLoss(logicalId: change.logicalId, type: change.resourceType, physicalId: change.physicalId, cause: cause))
            }
        }
        for i in out.indices where out[i].physicalId == nil {
            out[i].physicalId = changes.first { $0.logicalId == out[i].logicalId }?.physicalId
        }
        return out.sorted { $0.logicalId < $1.logicalId }
    }
}
