import AWSClient
import ConstructCore

/// Outputs a producer's new template drops while a deployed consumer still reads them.
///
/// tsdeploy wires values between stacks as producer outputs copied into consumer parameters,
/// never as exports, so CloudFormation itself never refuses the removal (the deadlock CDK users
/// hit as aws/aws-cdk#7602) — and so nothing stops a producer from deleting a value a deployed
/// consumer still points at. This keeps the value until no consumer needs it: a consumer in the
/// same deploy that stops reading it is deployed before the producer; one outside it stops the
/// deploy before any change.
enum ReleasedOutputs {
    struct Reader: Equatable {
        var producer: String, output: String, consumer: String
    }

    /// The stacks with the extra ordering (consumer before producer) applied.
    static func order(_ stacks: [DeployableStack], appStacks: [DeployableStack], session: AWSSession,
                      reporter: any DeployReporter) async throws -> [DeployableStack] {
        var described: [String: CloudFormation.Stack?] = [:]
        func deployed(_ stack: DeployableStack) async throws -> CloudFormation.Stack? {
            if let known = described[stack.name] { return known }
            let found = try await session.cloudFormation(region: try stack.region ?? session.requireRegion()).describeStack(stack.name)
            described[stack.name] = found
            return found
        }
        let candidates = appStacks + stacks.filter { s in !appStacks.contains { $0.name == s.name } }
        var readers: [Reader] = []
        for producer in stacks {
            guard let current = try await deployed(producer) else { continue }
            let kept = Set(producer.template["Outputs"]?.objectValue.keys.map { $0 } ?? [])
            let dropped = current.outputs.map(\.key).filter { !kept.contains($0) }
            guard !dropped.isEmpty else { continue }
            for consumer in candidates where consumer.name != producer.name {
                guard let reads = try await deployed(consumer)?.parameters.map(\.key) else { continue }
                for output in dropped where reads.contains(CrossStackParameter.id(producerStack: producer.name, output: output)) {
                    readers.append(Reader(producer: producer.name, output: output, consumer: consumer.name))
                }
            }
        }
        guard !readers.isEmpty else { return stacks }

        let outside = readers.filter { r in !stacks.contains { $0.name == r.consumer } }
        if !outside.isEmpty {
            let list = outside.map { "  \($0.producer) would stop providing \($0.output), which \($0.consumer) (deployed) still reads" }
            let consumers = Array(Set(outside.map(\.consumer))).sorted()
            throw DeployError("a value would be removed while a deployed stack still uses it:\n" + list.joined(separator: "\n")
                              + "\nNothing was changed.",
                              hint: "deploy \(consumers.joined(separator: ", ")) as well (add --stack \(consumers.joined(separator: " --stack "))) "
                                  + "so it stops reading the value first")
        }
        var ordered = stacks
        for r in readers {
            guard let c = ordered.firstIndex(where: { $0.name == r.consumer }), let p = ordered.firstIndex(where: { $0.name == r.producer }) else { continue }
            if ordered[c].dependencies.contains(r.producer) {
                // The consumer still reads other values of the producer: it takes them as
                // deployed now, which is all a cycle allows; say so.
                let needed = ordered[c].parameterSources.filter { $0.stack == r.producer }.map(\.output)
                let available = Set(try await deployed(ordered[p])?.outputs.map(\.key) ?? [])
                guard needed.allSatisfy(available.contains) else {
                    throw DeployError("\(r.consumer) stops reading \(r.output) of \(r.producer) but needs a value \(r.producer) does not provide yet; "
                                      + "nothing was changed",
                                      hint: "deploy in two steps: first keep \(r.output) in \(r.producer) while adding the new value, then remove it")
                }
                ordered[c].dependencies.removeAll { $0 == r.producer }
                reporter.info(r.consumer, "deploys before \(r.producer), which stops providing \(r.output); it takes \(r.producer)'s other values as deployed now")
            } else {
                reporter.info(r.consumer, "deploys before \(r.producer), which stops providing \(r.output) that \(r.consumer) no longer reads")
            }
            if !ordered[p].dependencies.contains(r.consumer) { ordered[p].dependencies.append(r.consumer) }
        }
        return ordered
    }
}
