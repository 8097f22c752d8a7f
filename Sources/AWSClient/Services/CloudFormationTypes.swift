import Foundation

public enum CloudFormation {
    public struct Tag: Sendable, Equatable, Hashable { public var key: String, value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    public struct Parameter: Sendable, Equatable {
        public var key: String
        public var value: String?
        public var usePreviousValue: Bool
        public init(key: String, value: String) { self.key = key; self.value = value; self.usePreviousValue = false }
        public init(usePrevious key: String) { self.key = key; self.value = nil; self.usePreviousValue = true }
    }

    public struct Output: Sendable, Equatable {
        public var key: String, value: String, description: String?, exportName: String?
    }

    public struct Stack: Sendable, Equatable {
        public var id: String
        public var name: String
        public var status: String
        public var statusReason: String?
        public var description: String?
        public var creationTime: Date?
        public var lastUpdatedTime: Date?
        public var parameters: [Parameter]
        public var outputs: [Output]
        public var tags: [Tag]
        public var capabilities: [String]
        public var roleARN: String?
        public var terminationProtection: Bool

        public var lastChanged: Date? { lastUpdatedTime ?? creationTime }
    }

    public struct ResourceChangeDetail: Sendable, Equatable {
        public var attribute: String?
        public var name: String?
        public var requiresRecreation: String?
        public var evaluation: String?
        public var changeSource: String?
        public var causingEntity: String?
    }

    public struct ResourceChange: Sendable, Equatable {
        public var action: String
        public var logicalId: String
        public var physicalId: String?
        public var resourceType: String
        /// True, False or Conditional; only for Modify (and absent on the emulator).
        public var replacement: String?
        public var scope: [String]
        public var details: [ResourceChangeDetail]
    }

    public struct ChangeSet: Sendable, Equatable {
        public var id: String
        public var name: String
        public var stackId: String
        public var status: String
        public var statusReason: String?
        public var executionStatus: String?
        public var changes: [ResourceChange]

        /// The two ways CloudFormation (and the emulator) say "nothing to change".
        public var isEmpty: Bool {
            if status == "FAILED", let reason = statusReason {
                return reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
            }
            return status == "CREATE_COMPLETE" && changes.isEmpty
        }
    }

    public struct StackEvent: Sendable, Equatable {
        public var eventId: String
        public var stackId: String
        public var stackName: String
        public var logicalId: String
        public var physicalId: String?
        public var resourceType: String
        public var timestamp: Date
        public var status: String
        public var statusReason: String?
        public var clientRequestToken: String?
    }

    public struct StackResource: Sendable, Equatable {
        public var logicalId: String
        public var physicalId: String?
        public var resourceType: String
        public var status: String
        public var statusReason: String?
        public var lastUpdated: Date?
    }

    public struct Export: Sendable, Equatable {
        public var name: String, value: String, exportingStackId: String
    }

    public struct ResourceDrift: Sendable, Equatable {
        public var logicalId: String, physicalId: String?, resourceType: String, status: String
    }

    public struct CreateChangeSetInput: Sendable {
        public enum Kind: String, Sendable { case create = "CREATE", update = "UPDATE", `import` = "IMPORT" }
        /// For IMPORT: the existing resources the template's logical IDs adopt.
        public struct ResourceToImport: Sendable, Equatable {
            public var type: String, logicalId: String, identifier: [String: String]
            public init(type: String, logicalId: String, identifier: [String: String]) {
                self.type = type; self.logicalId = logicalId; self.identifier = identifier
            }
        }
        public var resourcesToImport: [ResourceToImport] = []
        public var stackName: String
        public var changeSetName: String
        public var kind: Kind
        public var templateBody: String?
        public var templateURL: String?
        public var parameters: [Parameter]
        public var capabilities: [String]
        public var tags: [Tag]
        public var roleARN: String?
        public var description: String?
        public var clientToken: String?

        public init(stackName: String, changeSetName: String, kind: Kind, templateBody: String? = nil, templateURL: String? = nil,
                    parameters: [Parameter] = [], capabilities: [String] = [], tags: [Tag] = [], roleARN: String? = nil,
                    description: String? = nil, clientToken: String? = nil) {
            self.stackName = stackName
            self.changeSetName = changeSetName
            self.kind = kind
            self.templateBody = templateBody
            self.templateURL = templateURL
            self.parameters = parameters
            self.capabilities = capabilities
            self.tags = tags
            self.roleARN = roleARN
            self.description = description
            self.clientToken = clientToken
        }
    }
}
