import CloudFormation

extension Stack {
    /// The stack's template with every reference resolved and stack tags applied.
    func resolvedTemplate(wiring: inout CrossStackWiring) throws -> (Template, [MetadataEntry]) {
        guard Stack.isValidName(stackName) else {
            throw SynthesisError("stack name '\(stackName)' must match \(Stack.namePattern) and be at most 128 characters")
        }
        var template = Template(description: templateDescription)
        for p in parameters { template.addParameter(p) }
        let resources = self.resources
        var seen: [String: String] = [:]
        for r in resources {
            let id = r.logicalId
            guard LogicalId.isValid(id) else { throw SynthesisError("invalid logical ID '\(id)' at \(r.path)") }
            if let other = seen[id] {
                throw SynthesisError("\(r.path) and \(other) both have the logical ID '\(id)' in \(stackName)")
            }
            seen[id] = r.path
        }
        for other in explicitDependencies { wiring.addDependency(from: self, to: other) }

        let app = self.app
        func resolve(_ value: TemplateValue) throws -> TemplateValue {
            try value.replacingReferences { ref in
                guard let target = app.find(path: ref.targetPath) as? CfnResource else {
                    throw SynthesisError("\(stackName) refers to '\(ref.targetPath)', which is not a resource of this app")
                }
                if target.stack === self {
                    return ref.attribute.map { Fn.getAtt(target.logicalId, $0) } ?? Fn.ref(target.logicalId)
                }
                return try resolve(wiring.wire(ref, target: target, into: self))
            }
        }

        for r in resources {
            var resource = Resource(logicalId: r.logicalId, type: r.cfnType)
            var props = r.cfnProperties
            applyTags(to: &props, format: r.cfnTagFormat)
            resource.properties = try resolve(.object(props)).objectValue ?? OrderedObject()
            let implied = r.cfnDependencies.isEmpty ? [] : Self.referencedLogicalIds(in: .object(resource.properties))
            for dep in r.cfnDependencies {
                if dep.stack === self {
                    // A Ref or GetAtt already orders the two; repeating it in DependsOn is noise.
                    if !implied.contains(dep.logicalId), !resource.dependsOn.contains(dep.logicalId) {
                        resource.dependsOn.append(dep.logicalId)
                    }
                } else {
                    wiring.addDependency(from: self, to: dep.stack)
                }
            }
            resource.deletionPolicy = r.cfnDeletionPolicy
            resource.updateReplacePolicy = r.cfnUpdateReplacePolicy
            resource.condition = r.cfnCondition
            resource.metadata = r.cfnMetadata
            template.resources.append(resource)
        }
        for o in outputs {
            var output = o
            output.value = try resolve(o.value)
            template.outputs.append(output)
        }
        let metadata = try engineMetadata.map { entry in
            var e = entry
            e.data = try resolve(entry.data)
            return e
        }
        return (template, metadata)
    }

    static func referencedLogicalIds(in value: TemplateValue) -> Set<String> {
        var ids: Set<String> = []
        value.forEach { v in
            guard let o = v.objectValue, o.count == 1 else { return }
            if case .string(let id)? = o["Ref"] { ids.insert(id) }
            if case .string(let id)? = o["Fn::GetAtt"]?.arrayValue?.first { ids.insert(id) }
        }
        return ids
    }

    /// Stack tags go first in sorted order, then the resource's own tags, which win on a clash.
    private func applyTags(to props: inout OrderedObject, format: TagFormat) {
        guard !tags.isEmpty else { return }
        switch format {
        case .none:
            return
        case .keyValueList:
            let own = props["Tags"]?.arrayValue ?? []
            let ownKeys = Set(own.compactMap { $0["Key"]?.stringValue })
            let stackTags: [TemplateValue] = tags.keys.sorted().filter { !ownKeys.contains($0) }.map {
                ["Key": .string($0), "Value": .string(tags[$0]!)]
            }
            props["Tags"] = .array(stackTags + own)
        case .map:
            var merged = OrderedObject(tags.keys.sorted().map { ($0, TemplateValue.string(tags[$0]!)) })
            for (k, v) in props["Tags"]?.objectValue ?? OrderedObject() { merged[k] = v }
            props["Tags"] = .object(merged)
        }
    }

    func artifact(template: Template, metadata: [MetadataEntry], wiring: CrossStackWiring) -> StackArtifact {
        StackArtifact(
            stackName: stackName,
            displayName: path,
            environment: environment,
            template: template,
            dependencies: wiring.dependencies[stackName] ?? [],
            tags: tags,
            terminationProtection: terminationProtection,
            logicalIds: resources.map { ("/" + $0.path, $0.logicalId) },
            engineMetadata: metadata,
            parameterSources: wiring.links.filter { $0.consumerStack == stackName }.map {
                StackArtifact.ParameterSource(parameter: $0.parameterId, stack: $0.producerStack, output: $0.outputId)
            })
    }
}
