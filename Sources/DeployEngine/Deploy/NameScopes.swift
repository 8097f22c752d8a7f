import AWSClient
import ConstructCore

/// Refuses a deploy where one stack's pattern grants would reach another stack's names
/// (see ConstructCore's NameScope): a tsdat branch past its exact-grant size holds its
/// functions by `{repo}-{branch}-lambda-*`, and a branch named `main-lambda-x` would fall
/// under `main`'s pattern. Checked both ways against every deployed stack that recorded a
/// scope, so whichever of the two deploys second stops, before any change.
enum NameScopes {
    struct Conflict: CustomStringConvertible {
        var granting: String, pattern: String, named: String, names: String
        var description: String {
            "the build of \(granting) may change anything named '\(pattern)*', which reaches \(named)'s names (they start with '\(names)')"
        }
    }

    static func conflicts(_ stacks: [DeployableStack], session: AWSSession) async throws -> [Conflict] {
        let scoped = stacks.filter { $0.nameScope != nil }
        guard !scoped.isEmpty else { return [] }
        var found: [Conflict] = []
        var regions: [String: [CloudFormation.Stack]] = [:]
        for stack in scoped {
            guard let mine = stack.nameScope else { continue }
            let region = try stack.region ?? session.requireRegion()
            if regions[region] == nil { regions[region] = try await session.cloudFormation(region: region).describeStacks() }
            for other in regions[region] ?? [] where other.name != stack.name {
                guard let names = other.outputs.first(where: { $0.key == NameScope.namesOutput })?.value else { continue }
                let grants = other.outputs.first { $0.key == NameScope.grantsOutput }?.value
                if let pattern = mine.grants, NameScope.overlaps(names: names, grants: pattern) {
                    found.append(Conflict(granting: stack.name, pattern: pattern, named: other.name, names: names))
                }
                if let grants, NameScope.overlaps(names: mine.names, grants: grants) {
                    found.append(Conflict(granting: other.name, pattern: grants, named: stack.name, names: mine.names))
                }
            }
        }
        return found
    }

    static func error(_ conflicts: [Conflict]) -> DeployError {
        DeployError("names would be shared between stacks:\n  " + conflicts.map(\.description).joined(separator: "\n  ") + "\nNothing was changed.",
                    hint: "deploy this under a branch (or repository) name that neither starts with the other's nor extends it with '-lambda-'")
    }
}
