import AWSSigner
import Foundation
import Testing

@Suite struct SignerTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    /// `get-vanilla` from AWS's published SigV4 test suite.
    @Test func publishedVanillaVector() throws {
        var request = try SignableRequest(method: "GET", url: "https://example.amazonaws.com/")
        SigV4Signer(credentials: Self.credentials, service: "service", region: "us-east-1").sign(&request, date: Self.date)
        #expect(request.header("Authorization") == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
    }

    @Test func resigningReplacesTheOldSignature() throws {
        var request = try SignableRequest(method: "GET", url: "https://example.amazonaws.com/")
        let signer = SigV4Signer(credentials: Self.credentials, service: "service", region: "us-east-1")
        signer.sign(&request, date: Self.date)
        signer.sign(&request, date: Self.date.addingTimeInterval(60))
        #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(request.header("X-Amz-Date") == "20150830T123700Z")
    }

    @Test func s3SendsTheContentHashAndSessionToken() throws {
        var request = try SignableRequest(method: "PUT", url: "http://localhost:5000/bucket/a%20b", body: Data("hi".utf8))
        let creds = AWSCredentials(accessKeyId: "AK", secretAccessKey: "S", sessionToken: "T")
        SigV4Signer(credentials: creds, service: "s3", region: "us-east-1").sign(&request, date: Self.date)
        #expect(request.header("X-Amz-Content-SHA256") == "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
        #expect(request.header("X-Amz-Security-Token") == "T")
        #expect(request.header("Authorization")?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token") == true)
    }

    @Test func presignRefusesExpiriesS3WouldReject() throws {
        let request = try SignableRequest(method: "GET", url: "https://b.s3.amazonaws.com/k")
        let signer = SigV4Signer(credentials: Self.credentials, service: "s3", region: "us-east-1")
        #expect(throws: SigningError.self) { try signer.presign(request, expires: 604_801, date: Self.date) }
        #expect(try signer.presign(request, expires: 60, date: Self.date).contains("X-Amz-Expires=60&"))
    }

    @Test func credentialsNeverPrintTheirSecrets() {
        let creds = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "tok3n")
        for text in ["\(creds)", String(describing: creds), String(reflecting: creds)] {
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("tok3n"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
            #expect(text.contains("MPLE"))
        }
    }

    @Test func uriEncodingFollowsSigV4() {
        #expect(URIEncoding.encode("a b+c/~é") == "a%20b%2Bc%2F~%C3%A9")
        #expect(URIEncoding.encodePath("dir/a b") == "dir/a%20b")
    }
}
