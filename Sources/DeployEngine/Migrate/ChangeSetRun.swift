import AWSClient
import Foundation

/// One change set made, shown, executed and followed to its end — for changes outside a
/// normal deploy (a foreign stack's template, an IMPORT). Every way out before execution
/// deletes the change set and the empty shell a new stack's change set leaves.
struct ChangeSetRun {
    var deployer: StackDeployer
    var name: String

    @discardableResult
    func run(kind: CloudFormation.CreateChangeSetInput.Kind, templateBody: String, parameters: [CloudFormation.Parameter] = [],
             capabilities: [String], tags: [CloudFormation.Tag], imports: [CloudFormation.CreateChangeSetInput.ResourceToImport] = [],
             region: String?, account: String?, description: String) async throws -> String {
        let cloudFormation = deployer.cloudFormation
        var input = CloudFormation.CreateChangeSetInput(
            stackName: name, changeSetName: StackDeployer.changeSetName(), kind: kind, parameters: parameters,
            capabilities: capabilities, tags: tags, description: description,
            clientToken: "tsdeploy-\(UUID().uuidString.lowercased())")
        input.resourcesToImport = imports
        if templateBody.utf8.count > StackDeployer.templateBodyLimit {
            let staged = try DeployableStack(name: name, account: account, region: region, templateBody: templateBody)
            input.templateURL = try await deployer.uploadTemplate(staged)
        } else {
            input.templateBody = templateBody
        }
        deployer.reporter.info(name, "creating change set (\(kind.rawValue.lowercased())): \(description)")
        let created = try await cloudFormation.createChangeSet(input)
        let discard: @Sendable () async -> Void = { [cloudFormation, name] in
            try? await cloudFormation.deleteChangeSet(created.id)
            try? await StackDeployer.deleteEmptyReviewShell(name, cloudFormation)
        }
        let pending = deployer.options.inFlight.add("the unexecuted change set of \(name)", discard)
        let last: String?
        let count: Int
        do {
            let changeSet = try await deployer.waitForChangeSet(created.id)
            guard changeSet.status == "CREATE_COMPLETE" else {
                throw DeployError("CloudFormation could not prepare the change set for \(name): \(changeSet.statusReason ?? changeSet.status)")
            }
            deployer.reporter.changes(name, changeSet.changes)
            count = changeSet.changes.count
            last = try await deployer.watcher.lastEventId(created.stackId.isEmpty ? name : created.stackId)
            try await cloudFormation.executeChangeSet(created.id, clientRequestToken: "tsdeploy-exec-\(UUID().uuidString.lowercased())")
        } catch {
            deployer.options.inFlight.remove(pending)
            await discard()
            throw error
        }
        deployer.options.inFlight.remove(pending)
        deployer.options.inFlight.started(name)
        let outcome = try await deployer.watcher.follow(created.stackId.isEmpty ? name : created.stackId, name: name, after: last,
                                                        progress: StackProgress(total: count))
        guard outcome.success else {
            deployer.reporter.finished(name, outcome.status, success: false)
            throw DeployError(FailureRecap.render(outcome, stackName: name, paths: [:]).trimmingCharacters(in: .newlines))
        }
        deployer.reporter.finished(name, outcome.status, success: true)
        return outcome.status
    }
}
