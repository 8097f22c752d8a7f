import AWSClient
import Foundation

/// Checks a CI build makes before it changes anything.
public enum BuildChecks {
    /// An image the build pushed, addressed by its content tag; deploy pins it by digest.
    public struct PinnedImage: Sendable, Equatable {
        public var parameter: String, repository: String, tag: String, label: String
        public init(parameter: String, repository: String, tag: String, label: String) {
            self.parameter = parameter; self.repository = repository; self.tag = tag; self.label = label
        }
    }

    /// `@sha256:…` for each image's parameter, read from ECR by tag. Every image must be
    /// there: a deploy pinned to a tag that was never pushed would point functions at nothing.
    public static func digests(_ images: [PinnedImage], ecr: ECRClient) async throws -> [String: String] {
        var out: [String: String] = [:]
        var missing: [String] = []
        for image in images {
            do {
                let found = try await ecr.describeImages(repository: image.repository, imageIds: [.init(tag: image.tag)])
                guard let digest = found.first?.imageDigest else { missing.append("\(image.label) (\(image.repository):\(image.tag))"); continue }
                out[image.parameter] = "@" + digest
            } catch let error as AWSError where error.code == "ImageNotFoundException" || error.code == "RepositoryNotFoundException" {
                missing.append("\(image.label) (\(image.repository):\(image.tag))")
            }
        }
        if !missing.isEmpty {
            throw DeployError("no image in ECR for \(missing.joined(separator: ", "))",
                              hint: "the build pushes them before it deploys (`tsdeploy build-plan` lists what to build); "
                                  + "a tag missing here was never pushed or was deleted since")
        }
        return out
    }

    /// Fails unless each stack is deployed with exactly the template synthesized now. The
    /// build deploys only the functions; a config that changes the build stack (its grants
    /// name every function) needs that stack deployed first, by someone allowed to change IAM.
    public static func requireDeployedAsSynthesized(_ stacks: [DeployableStack], session: AWSSession, branch: String) async throws {
        for stack in stacks {
            let cloudFormation = try session.cloudFormation(region: try stack.region ?? session.requireRegion())
            let fix = "run `tsdeploy deploy \(branch) --stack \(stack.displayName)` with credentials that may change IAM (not from the build), then release the change again"
            guard let deployed = try await cloudFormation.describeStack(stack.name), deployed.status != "REVIEW_IN_PROGRESS" else {
                throw DeployError("\(stack.name) is not deployed, and the build does not deploy it", hint: fix)
            }
            let body = try await cloudFormation.getTemplate(stack.name)
            let diff = TemplateDiff(old: try JSONValue.parse(body), new: stack.template, paths: stack.paths)
            guard diff.resources.isEmpty && diff.parameters.isEmpty && diff.outputs.isEmpty && diff.other.isEmpty else {
                let changed = diff.resources.prefix(5).map { "\($0.kind.rawValue)\($0.logicalId)" } + diff.other.prefix(2)
                throw DeployError("pipelines_config.yml changes \(stack.name) (\(diff.resources.count) resource(s): \(changed.joined(separator: ", "))\(diff.resources.count > 5 ? ", …" : "")); "
                                  + "the build deploys only the functions and changed nothing", hint: fix)
            }
        }
    }
}
