@testable import DeployEngine
import Foundation
import Testing

@Suite struct TemplateDiffTests {
    let old = #"""
        {"Parameters":{"Tag":{"Type":"String","Default":"a"}},
         "Resources":{
          "Data":{"Type":"AWS::ECR::Repository","Properties":{"RepositoryName":"data","EncryptionConfiguration":{"EncryptionType":"AES256"}}},
          "Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/a","RetentionInDays":7}},
          "Fn":{"Type":"AWS::Lambda::Function","Properties":{"FunctionName":{"Ref":"Name"},"MemorySize":128,"Environment":{"Variables":{"A":"1","B":"2"}}}},
          "Old":{"Type":"AWS::SNS::Topic","DeletionPolicy":"Retain"},
          "Policy":{"Type":"AWS::IAM::Policy","Properties":{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}}
         }}
        """#
    let new = #"""
        {"Parameters":{"Tag":{"Type":"String","Default":"b"}},
         "Resources":{
          "Data":{"Type":"AWS::ECR::Repository","Properties":{"RepositoryName":"data","EncryptionConfiguration":{"EncryptionType":"KMS"}}},
          "Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/b","RetentionInDays":7}},
          "Fn":{"Type":"AWS::Lambda::Function","Properties":{"FunctionName":{"Fn::Sub":"x-${Name}"},"MemorySize":256,"Environment":{"Variables":{"A":"1","B":"3"}}}},
          "Queue":{"Type":"AWS::SQS::Queue","Properties":{"VisibilityTimeout":30}},
          "Policy":{"Type":"AWS::IAM::Policy","Properties":{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}}}
         }}
        """#

    @Test func resourcesPropertiesAndReplacements() throws {
        let diff = TemplateDiff(old: try JSONValue.parse(old), new: try JSONValue.parse(new), paths: ["Fn": "/Stack/Fn/Resource"])
        #expect(diff.resources.map { "\($0.kind.rawValue) \($0.logicalId)" } == ["~ Data", "~ Fn", "~ Logs", "- Old", "~ Policy", "+ Queue"])
        let data = try #require(diff.resources.first { $0.logicalId == "Data" })
        #expect(data.replacement == .always)
        #expect(data.replacementWillFail)  // same RepositoryName, replaced: the new repository cannot take the name
        let logs = try #require(diff.resources.first { $0.logicalId == "Logs" })
        #expect(logs.replacement == .always && !logs.replacementWillFail)  // renamed: replacement succeeds
        #expect(diff.resources.first { $0.logicalId == "Fn" }?.replacement == .conditional)
        #expect(diff.resources.first { $0.logicalId == "Old" }?.retainedOnRemoval == true)
        #expect(diff.parameters.map(\.name) == ["Tag"])
        #expect(diff.isBroadening)
        #expect(diff.iam.map { "\($0.kind.rawValue) \($0.actions)" } == ["+ s3:GetObject, s3:PutObject", "- s3:GetObject"])
    }

    @Test func renderedSnapshot() throws {
        let diff = TemplateDiff(old: try JSONValue.parse(old), new: try JSONValue.parse(new), paths: ["Fn": "/Stack/Fn/Resource"])
        let text = DiffRenderer().render(stack: "app-main-Stack", diff, deployed: true)
        #expect(text == """
            Stack app-main-Stack
            IAM Statement Changes
            ┌───┬──────────┬────────┬────────────────────────────┬───────────┬───────────┐
            │   │ Resource │ Effect │ Action                     │ Principal │ Condition │
            ├───┼──────────┼────────┼────────────────────────────┼───────────┼───────────┤
            │ + │ *        │ Allow  │ s3:GetObject, s3:PutObject │           │           │
            │ - │ *        │ Allow  │ s3:GetObject               │           │           │
            └───┴──────────┴────────┴────────────────────────────┴───────────┴───────────┘
            (These changes broaden permissions or network access; deploy asks before applying them.)
            Data at risk: AWS::ECR::Repository Data (replaced), AWS::Logs::LogGroup Logs (replaced). deploy stops before this unless you confirm or pass --allow-destroy-data.
            Parameters
            [~] Tag: {"Default":"a","Type":"String"} → {"Default":"b","Type":"String"}
            Resources
            [~] AWS::ECR::Repository Data replace
             ⚠ deletes data: the replacement deletes this AWS::ECR::Repository and what it holds
             ⚠ the replacement keeps its custom name and will fail: change the name too, or remove the resource first
             └─ [~] EncryptionConfiguration.EncryptionType: AES256 → KMS (requires replacement)
            [~] AWS::Lambda::Function Fn /Stack/Fn/Resource may be replaced
             ├─ [~] Environment.Variables.B: 2 → 3
             ├─ [~] FunctionName: {"Ref":"Name"} → {"Fn::Sub":"x-${Name}"} (may cause replacement)
             └─ [~] MemorySize: 128 → 256
            [~] AWS::Logs::LogGroup Logs replace
             ⚠ deletes data: the replacement deletes this AWS::Logs::LogGroup and what it holds
             └─ [~] LogGroupName: /a → /b (requires replacement)
            [-] AWS::SNS::Topic Old (retained: DeletionPolicy Retain keeps it in the account)
            [~] AWS::IAM::Policy Policy
             └─ [~] PolicyDocument.Statement: [{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}] → [{"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":"*"}]
            [+] AWS::SQS::Queue Queue

            """)
    }

    @Test func identicalTemplatesHaveNoDifferences() throws {
        let diff = TemplateDiff(old: try JSONValue.parse(old), new: try JSONValue.parse(old))
        #expect(diff.isEmpty)
        #expect(DiffRenderer().render(stack: "S", diff, deployed: true) == "Stack S\nThere were no differences\n")
    }

    @Test func generatedTableCoversTheTypesWeEmit() {
        #expect(CreateOnlyProperties.properties(of: "AWS::S3::Bucket").contains("BucketName"))
        #expect(CreateOnlyProperties.properties(of: "AWS::Lambda::Function").contains("FunctionName"))
        #expect(CreateOnlyProperties.properties(of: "AWS::ECR::Repository").contains("RepositoryName"))
        #expect(CreateOnlyProperties.properties(of: "AWS::Events::Rule").contains("Name"))
        #expect(!CreateOnlyProperties.properties(of: "AWS::Lambda::Function").contains("MemorySize"))
    }
}
