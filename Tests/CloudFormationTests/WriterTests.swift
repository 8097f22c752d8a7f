import CloudFormation
import Foundation
import Testing
import Yams

@Suite struct JSONWriterTests {
    @Test func keepsKeyOrderAndIndentsLikeCDK() {
        let value: TemplateValue = ["b": 1, "a": ["x", true], "c": [:], "d": []]
        #expect(JSONWriter().string(value) == "{\n \"b\": 1,\n \"a\": [\n  \"x\",\n  true\n ],\n \"c\": {},\n \"d\": []\n}")
    }

    @Test func escapesControlCharactersQuotesAndKeepsUnicode() {
        let value: TemplateValue = .string("a\"b\\c\nd\te\u{01}é/")
        #expect(JSONWriter.compact(value) == #""a\"b\\c\nd\te\u0001é/""#)
    }

    @Test func integralDoublesPrintAsIntegers() {
        #expect(JSONWriter.compact([1.0, 2.5, .int(-3)]) == "[1,2.5,-3]")
    }

    @Test func outputParsesBackToTheSameValue() throws {
        let value: TemplateValue = ["k": ["nested": ["list": [1, "two", .null, false]]]]
        let data = Data(JSONWriter().string(value).utf8)
        let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let list = ((parsed?["k"] as? [String: Any])?["nested"] as? [String: Any])?["list"] as? [Any]
        #expect(list?.count == 4)
    }
}

@Suite struct YAMLWriterTests {
    /// Strings that a YAML reader would take for something else must come back as strings.
    @Test(arguments: [
        "true", "False", "yes", "NO", "on", "off", "y", "n", "null", "~", "", " lead", "trail ", "123", "0x1F", "1e3",
        "2010-09-09", "12:30", "-dash", "* star", "&anchor", "!tag", "#comment", "a #b", "a: b", "ends:", "[x]", "{x}",
        "'q'", "\"dq\"", "%p", "@at", "`tick", "|", ">", "multi\nline", "tab\there", ".5", ".inf", "cron(0 2 * * ? *)",
        "arn:aws:s3:::b", "${AWS::Region}", "é", "a,b", "Object Created", "/*", "s3:*",
    ])
    func scalarsRoundTripThroughYams(_ s: String) throws {
        let yaml = YAMLWriter().string(["key": .string(s)])
        let node = try Yams.compose(yaml: yaml)
        let scalar = node?["key"]
        #expect(scalar?.string == s)
        #expect(scalar.map { Resolver.default.resolveTag(of: $0) } == .str, "\(yaml) is not read as a string")
    }

    @Test func nestsListsOfMapsAndMapsOfLists() throws {
        let value: TemplateValue = [
            "Resources": ["A": ["Type": "T", "Properties": ["L": [["K": "v", "W": 1], ["x", "y"], []]]]]
        ]
        let yaml = YAMLWriter().string(value)
        #expect(yaml == """
            Resources:
              A:
                Type: T
                Properties:
                  L:
                    - K: v
                      W: 1
                    - - x
                      - "y"
                    - []

            """)
        let any = try Yams.load(yaml: yaml) as? [String: Any]
        #expect(any?["Resources"] != nil)
    }

    @Test func plainScalarsStayPlain() {
        #expect(YAMLWriter().string(["Type": "AWS::S3::Bucket", "Expr": "cron(0 2 * * ? *)"])
            == "Type: AWS::S3::Bucket\nExpr: cron(0 2 * * ? *)\n")
    }
}

@Suite struct TemplateTests {
    @Test func sectionsRenderInConventionalOrder() {
        var t = Template(description: "d")
        t.outputs = [Output(logicalId: "O", value: Fn.ref("R"))]
        t.resources = [Resource(logicalId: "R", type: "AWS::SNS::Topic")]
        t.conditions["C"] = Fn.equals(Fn.ref(Pseudo.region), "us-east-1")
        t.addParameter(Parameter(logicalId: "P", defaultValue: "x"))
        #expect(t.render().objectValue?.keys == [
            "AWSTemplateFormatVersion", "Description", "Parameters", "Conditions", "Resources", "Outputs",
        ])
    }

    @Test func resourceAttributesRenderAfterProperties() {
        var r = Resource(logicalId: "B", type: "AWS::S3::Bucket", properties: ["BucketName": "b"])
        r.dependsOn = ["A"]
        r.deletionPolicy = .retain
        r.updateReplacePolicy = .retain
        r.condition = "IsProd"
        r.metadata["k"] = "v"
        #expect(r.render().objectValue?.keys == [
            "Type", "Properties", "DependsOn", "Condition", "UpdateReplacePolicy", "DeletionPolicy", "Metadata",
        ])
    }

    @Test func intrinsicsHaveCloudFormationShapes() {
        #expect(JSONWriter.compact(Fn.getAtt("R", "Arn")) == #"{"Fn::GetAtt":["R","Arn"]}"#)
        #expect(JSONWriter.compact(Fn.sub("${A}", ["A": "x"])) == #"{"Fn::Sub":["${A}",{"A":"x"}]}"#)
        #expect(JSONWriter.compact(Fn.join(",", ["a", Fn.ref("B")])) == #"{"Fn::Join":[",",["a",{"Ref":"B"}]]}"#)
        #expect(JSONWriter.compact(Fn.select(1, Fn.split(",", "a,b"))) == #"{"Fn::Select":[1,{"Fn::Split":[",","a,b"]}]}"#)
        #expect(JSONWriter.compact(Fn.importValue("E")) == #"{"Fn::ImportValue":"E"}"#)
        #expect(JSONWriter.compact(Fn.if("C", "a", Fn.noValue)) == #"{"Fn::If":["C","a",{"Ref":"AWS::NoValue"}]}"#)
        #expect(JSONWriter.compact(Fn.getAZs()) == #"{"Fn::GetAZs":""}"#)
        #expect(JSONWriter.compact(Fn.not(Fn.condition("C"))) == #"{"Fn::Not":[{"Condition":"C"}]}"#)
    }

    @Test func orderedObjectReplacesInPlaceAndRemoves() {
        var o: OrderedObject = ["a": 1, "b": 2, "c": 3]
        o["a"] = 9
        o["b"] = nil
        #expect(o.keys == ["a", "c"])
        #expect(o["a"] == 9)
    }
}
