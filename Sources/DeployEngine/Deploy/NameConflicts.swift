import AWSClient
import Foundation

/// Before any change: a stack that would create a bucket (or repository) with a fixed name
/// that already exists outside it fails half-way on AWS (BucketAlreadyExists after other
/// resources were made) and rolls back. Found here instead, with who owns the name.
public enum NameConflicts {
    public struct Conflict: Sendable, Equatable {
        public var stack: String, logicalId: String, type: String, name: String
        /// The stack that holds it, when one of this account's stacks does.
        public var owner: String?
        /// Another account holds the name (S3 names are global).
        public var foreign: Bool
    }

    static let checked: [String: String] = ["AWS::S3::Bucket": "BucketName", "AWS::ECR::Repository": "RepositoryName"]

    /// Resources with a literal name that the stack does not hold yet.
    static func named(_ stack: DeployableStack, deployed: Set<String>) -> [(logicalId: String, type: String, name: String)] {
        (stack.template["Resources"]?.objectValue ?? [:]).compactMap { id, r in
            guard let type = r["Type"]?.stringValue, let key = checked[type],
                  let name = r["Properties"]?[key]?.stringValue, !deployed.contains(name) else { return nil }
            return (id, type, name)
        }.sorted { $0.logicalId < $1.logicalId }
    }

    public static func find(_ stacks: [DeployableStack], session: AWSSession) async throws -> [Conflict] {
        var conflicts: [Conflict] = []
        for stack in stacks {
            let region = try stack.region ?? session.requireRegion()
            let cloudFormation = try session.cloudFormation(region: region)
            var held: Set<String> = []
            if let current = try await cloudFormation.describeStack(stack.name), current.status != "REVIEW_IN_PROGRESS" {
                held = Set(try await cloudFormation.listStackResources(stack.name).compactMap(\.physicalId))
            }
            for r in named(stack, deployed: held) {
                switch r.type {
                case "AWS::S3::Bucket":
                    let s3 = try session.s3(region: region)
                    do {
                        guard try await s3.bucketExists(r.name) else { continue }
                    } catch let error as AWSError where error.status == 403 {
                        conflicts.append(Conflict(stack: stack.name, logicalId: r.logicalId, type: r.type, name: r.name, owner: nil, foreign: true))
                        continue
                    }
                case "AWS::ECR::Repository":
                    let repos = try await session.ecr(region: region).describeRepositoriesIfExist([r.name])
                    guard !repos.isEmpty else { continue }
                default: continue
                }
                let owner = try await owningStack(of: r.name, type: r.type, cloudFormation: cloudFormation, except: stack.name)
                conflicts.append(Conflict(stack: stack.name, logicalId: r.logicalId, type: r.type, name: r.name, owner: owner, foreign: false))
            }
        }
        return conflicts
    }

    static func owningStack(of name: String, type: String, cloudFormation: CloudFormationClient, except: String) async throws -> String? {
        for s in try await cloudFormation.describeStacks() where s.name != except && !s.status.hasPrefix("DELETE_COMPLETE") {
            let resources = (try? await cloudFormation.listStackResources(s.name)) ?? []
            if resources.contains(where: { $0.resourceType == type && $0.physicalId == name }) {
                let branch = s.tags.first { $0.key == "tsdeploy:branch" }?.value
                return s.name + (branch.map { " (branch \($0))" } ?? "")
            }
        }
        return nil
    }

    public static func error(_ conflicts: [Conflict]) -> DeployError {
        let lines = conflicts.map { c -> String in
            let what = c.type == "AWS::S3::Bucket" ? "bucket" : "repository"
            if c.foreign { return "\(c.stack) would create \(what) \(c.name), a name another AWS account holds (S3 names are global)" }
            return "\(c.stack) would create \(what) \(c.name), which already exists" + (c.owner.map { " in stack \($0)" } ?? " outside any stack")
        }
        let buckets = conflicts.contains { $0.type == "AWS::S3::Bucket" && !$0.foreign }
        return DeployError(lines.joined(separator: "\n  "),
                           hint: buckets
                               ? "nothing was changed. To use the existing buckets, set create_buckets: false in this branch's config (its functions then share them: read the warning about overlapping triggers); otherwise choose other bucket names"
                               : "nothing was changed; choose other names, or take the existing resource over (`tsdeploy migrate` for an aws-template deployment)")
    }
}
