import CloudFormation

/// Values that cross stack boundaries.
///
/// We never use `Export`/`Fn::ImportValue`: an export cannot be removed while another stack
/// imports it, so a consumer that stops using a value deadlocks the next deploy
/// (aws/aws-cdk#7602). Instead, in order of preference:
/// 1. a value the producer can state without deploying (a deterministic physical name,
///    see `CfnResource.physicalValues`) is copied into the consumer;
/// 2. anything else becomes an `Output` of the producer and a `Parameter` of the consumer,
///    and the manifest tells the engine which output feeds which parameter. Dropping the
///    use just drops the parameter; the producer's output stays harmless.
/// Either way the consumer's stack depends on the producer's.
struct CrossStackWiring {
    struct Link: Hashable {
        var consumerStack: String
        var parameterId: String
        var producerStack: String
        var outputId: String
    }

    private(set) var links: [Link] = []
    private(set) var dependencies: [String: [String]] = [:]
    private var outputs: [String: [Output]] = [:]

    mutating func addDependency(from consumer: Stack, to producer: Stack) {
        var deps = dependencies[consumer.stackName, default: []]
        if !deps.contains(producer.stackName) { deps.append(producer.stackName) }
        dependencies[consumer.stackName] = deps
    }

    /// Wires `reference` (to a resource of another stack) into `consumer`; returns the value
    /// to use in the consumer's template.
    mutating func wire(_ reference: Reference, target: CfnResource, into consumer: Stack) throws -> TemplateValue {
        let producer = target.stack
        guard producer.environment == consumer.environment else {
            throw SynthesisError(
                "\(consumer.stackName) refers to \(target.path) in \(producer.stackName), which deploys to another "
                    + "environment (\(producer.environment.uri) vs \(consumer.environment.uri)); pass the value explicitly")
        }
        addDependency(from: consumer, to: producer)
        let key = reference.attribute ?? "Ref"
        if let known = target.physicalValues[key] { return known }

        let outputId = target.logicalId + LogicalId.alphanumeric(reference.attribute ?? "Ref")
        let value = reference.attribute.map { Fn.getAtt(target.logicalId, $0) } ?? Fn.ref(target.logicalId)
        if !(outputs[producer.stackName]?.contains { $0.logicalId == outputId } ?? false) {
            outputs[producer.stackName, default: []].append(
                Output(logicalId: outputId, value: value, description: "Read by tsdeploy for a dependent stack"))
        }
        let parameterId = CrossStackParameter.id(producerStack: producer.stackName, output: outputId)
        let link = Link(consumerStack: consumer.stackName, parameterId: parameterId,
                        producerStack: producer.stackName, outputId: outputId)
        if !links.contains(link) { links.append(link) }
        return Fn.ref(parameterId)
    }

    /// Adds what another wiring recorded after what this one holds (the order one pass over
    /// the stacks in this order would give).
    mutating func merge(_ other: CrossStackWiring) {
        for link in other.links where !links.contains(link) { links.append(link) }
        for (consumer, producers) in other.dependencies {
            var deps = dependencies[consumer, default: []]
            for p in producers where !deps.contains(p) { deps.append(p) }
            dependencies[consumer] = deps
        }
        for (producer, list) in other.outputs {
            var mine = outputs[producer, default: []]
            for o in list where !mine.contains(where: { $0.logicalId == o.logicalId }) { mine.append(o) }
            outputs[producer] = mine
        }
    }

    /// Adds the producer outputs and consumer parameters that wiring created.
    func apply(to stack: Stack, template: inout Template) {
        for output in outputs[stack.stackName] ?? [] where !template.outputs.contains(where: { $0.logicalId == output.logicalId }) {
            template.outputs.append(output)
        }
        for link in links where link.consumerStack == stack.stackName {
            var p = Parameter(logicalId: link.parameterId,
                              description: "Output \(link.outputId) of stack \(link.producerStack); set by tsdeploy deploy")
            p.type = "String"
            template.addParameter(p)
        }
    }
}

/// The consumer parameter that carries a producer's output; the engine reads deployed
/// consumers' parameters by this name to know which outputs are still in use.
public enum CrossStackParameter {
    public static func id(producerStack: String, output: String) -> String {
        "From" + LogicalId.alphanumeric(producerStack) + output
    }
}
