import AWSClient

/// The first thing every command that reaches AWS does: the credentials must belong to
/// the account the stacks name, and an explicit `--region` must not contradict their
/// region. Reading or deleting in the wrong account is as bad as deploying there.
public enum EnvironmentCheck {
    @discardableResult
    public static func verify(_ stacks: [DeployableStack], session: AWSSession) async throws -> CallerIdentity {
        for stack in stacks {
            guard let region = stack.region else { continue }
            try RegionName.validate(region, source: "the region of \(stack.name)")
            if let chosen = session.region, chosen.source == "--region", chosen.name != region {
                throw DeployError("--region \(chosen.name) contradicts the region of \(stack.name) (\(region)), where its stacks live",
                                  hint: "drop --region, or change region in the config")
            }
        }
        let identity = try await session.sts(region: stacks.first?.region).getCallerIdentity()
        for stack in stacks {
            if let account = stack.account, account != identity.account {
                throw DeployError("\(stack.name) belongs to account \(account), but the credentials in use are for account \(identity.account) (\(identity.arn)); nothing was done",
                                  hint: "use credentials for \(account) (`tsdeploy doctor` shows which are in use), or fix account_id in the config")
            }
        }
        return identity
    }
}
