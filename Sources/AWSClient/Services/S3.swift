import AWSSigner
import Crypto
import Foundation

/// S3 (rest-xml). Path-style addressing for custom endpoints (emulators) and for bucket
/// names that are not DNS-safe; virtual-hosted otherwise. A wrong-region answer that
/// names the bucket's region is retried once against that region.
public struct S3Client: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public struct ObjectHead: Sendable, Equatable {
        public var contentLength: Int
        public var etag: String?
        public var versionId: String?
        public var metadata: [String: String]
    }

    public struct ObjectVersion: Sendable, Equatable {
        public var key: String
        public var versionId: String?
        public var isDeleteMarker: Bool
    }

    // MARK: addressing

    static func isVirtualHostable(_ bucket: String) -> Bool {
        (3...63).contains(bucket.count) && !bucket.contains(".")
            && bucket.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && bucket.first != "-"
    }

    /// (host base, path) for a bucket and an encoded key path.
    func address(_ bucket: String, _ keyPath: String, region: String) -> (base: String, path: String) {
        if client.endpoint.isCustom || !Self.isVirtualHostable(bucket) {
            let base = client.endpoint.isCustom ? client.endpoint.url
                : "https://" + EndpointResolver.awsHost(.s3, region: region)
            return (base, "/\(URIEncoding.encode(bucket))\(keyPath)")
        }
        return ("https://\(bucket)." + EndpointResolver.awsHost(.s3, region: region), keyPath.isEmpty ? "/" : keyPath)
    }

    func request(_ operation: String, method: String, bucket: String, key: String? = nil, query: String = "",
                 headers: [(String, String)] = [], body: Data = Data(), payload: SigV4Signer.Payload = .hashed,
                 bodyFile: String? = nil) async throws -> HTTPResponse {
        let keyPath = key.map { "/" + URIEncoding.encodePath($0) } ?? ""
        var region = client.region
        for attempt in 0..<2 {
            let (base, path) = address(bucket, keyPath, region: region)
            do {
                return try await client.send(operation: operation, method: method, path: path, query: query, headers: headers,
                                             body: body, payload: payload, signingRegion: region, host: base, bodyFile: bodyFile)
            } catch let error as AWSError where attempt == 0 && !client.endpoint.isCustom {
                // S3 names the bucket's region on a wrong-region answer; follow it once.
                guard [301, 400].contains(error.status),
                      let other = error.bucketRegion, other != region else { throw error }
                region = other
            }
        }
        throw AWSResponseError("S3 \(operation): bucket \(bucket) could not be reached in \(region)")
    }

    // MARK: objects

    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String? = nil) async throws -> (etag: String?, versionId: String?) {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await request("PutObject", method: "PUT", bucket: bucket, key: key, headers: headers, body: body)
        return (response.header("etag"), response.header("x-amz-version-id"))
    }

    /// Uploads a file without holding it in memory: hashed in pieces for the signature,
    /// then streamed (an asset of any size up to S3's 5 GB single-PUT limit).
    @discardableResult
    public func putObject(bucket: String, key: String, file: String, contentType: String? = nil) async throws -> (etag: String?, versionId: String?) {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw AWSResponseError("S3 PutObject: cannot read \(file)") }
        var hasher = SHA256()
        var length = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            length += chunk.count
        }
        try handle.close()
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        var headers: [(String, String)] = [("Content-Length", String(length))]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await request("PutObject", method: "PUT", bucket: bucket, key: key, headers: headers,
                                         payload: .precomputed(hash), bodyFile: file)
        return (response.header("etag"), response.header("x-amz-version-id"))
    }

    public func getObject(bucket: String, key: String) async throws -> Data {
        try await request("GetObject", method: "GET", bucket: bucket, key: key).body
    }

    /// nil when the object does not exist.
    public func headObject(bucket: String, key: String) async throws -> ObjectHead? {
        do {
            let response = try await request("HeadObject", method: "HEAD", bucket: bucket, key: key)
            var metadata: [String: String] = [:]
            for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") { metadata[String(name.dropFirst(11))] = value }
            return ObjectHead(contentLength: Int(response.header("content-length") ?? "") ?? response.body.count,
                              etag: response.header("etag"), versionId: response.header("x-amz-version-id"), metadata: metadata)
        } catch let error as AWSError where error.status == 404 {
            return nil
        }
    }

    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await request("DeleteObject", method: "DELETE", bucket: bucket, key: key)
    }

    /// Every object version and delete marker (all pages); for a bucket without
    /// versioning each object appears once with no version id.
    public func listObjectVersions(bucket: String) async throws -> [ObjectVersion] {
        var versions: [ObjectVersion] = []
        var keyMarker: String?, versionMarker: String?
        repeat {
            var items: [(String, String)] = [("versions", "")]
            if let keyMarker { items.append(("key-marker", keyMarker)) }
            if let versionMarker { items.append(("version-id-marker", versionMarker)) }
            let response = try await request("ListObjectVersions", method: "GET", bucket: bucket, query: Self.query(items))
            let root = try XMLNode.parse(response.body)
            for node in root.children where node.name == "Version" || node.name == "DeleteMarker" {
                let version = node.string("VersionId").flatMap { $0 == "null" ? nil : $0 }
                versions.append(ObjectVersion(key: node.string("Key") ?? "", versionId: version, isDeleteMarker: node.name == "DeleteMarker"))
            }
            let truncated = root.bool("IsTruncated") ?? false
            keyMarker = truncated ? root.string("NextKeyMarker") : nil
            versionMarker = truncated ? root.string("NextVersionIdMarker") : nil
        } while keyMarker != nil
        return versions
    }

    /// Deletes up to 1000 versions per call; returns the keys S3 refused, with reasons.
    public func deleteObjects(bucket: String, _ objects: [ObjectVersion]) async throws -> [(key: String, reason: String)] {
        var refused: [(key: String, reason: String)] = []
        for start in stride(from: 0, to: objects.count, by: 1000) {
            let batch = objects[start..<min(start + 1000, objects.count)]
            let entries = batch.map { object in
                XMLNode(name: "Object", children: [XMLNode(name: "Key", text: object.key)]
                    + (object.versionId.map { [XMLNode(name: "VersionId", text: $0)] } ?? []))
            }
            let body = Data(XMLNode(name: "Delete", children: [XMLNode(name: "Quiet", text: "true")] + entries)
                .xml(namespace: Self.namespace).utf8)
            let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
            let response = try await request("DeleteObjects", method: "POST", bucket: bucket, query: "delete=",
                                             headers: [("Content-MD5", md5), ("Content-Type", "application/xml")], body: body)
            let root = try XMLNode.parse(response.body)
            refused += root.children("Error").map { ($0.string("Key") ?? "", "\($0.string("Code") ?? ""): \($0.string("Message") ?? "")") }
        }
        return refused
    }

    /// A presigned GET URL (SigV4, `expires` seconds, at most 7 days).
    public func presignedGetURL(bucket: String, key: String, expires: Int) async throws -> String {
        guard let resolver = client.credentials else { throw AWSResponseError("presigning needs credentials") }
        let (base, path) = address(bucket, "/" + URIEncoding.encodePath(key), region: client.region)
        let request = try SignableRequest(method: "GET", url: base + path)
        return try SigV4Signer(credentials: try await resolver.credentials(), service: "s3", region: client.region)
            .presign(request, expires: expires, date: await client.clock.now())
    }

    // MARK: buckets

    public func createBucket(_ bucket: String) async throws {
        var body = Data()
        if client.region != "us-east-1" {
            body = Data(XMLNode(name: "CreateBucketConfiguration", children: [XMLNode(name: "LocationConstraint", text: client.region)])
                .xml(namespace: Self.namespace).utf8)
        }
        _ = try await request("CreateBucket", method: "PUT", bucket: bucket, body: body)
    }

    public func deleteBucket(_ bucket: String) async throws {
        _ = try await request("DeleteBucket", method: "DELETE", bucket: bucket)
    }

    /// Whether the bucket exists and is ours to see (HEAD: 200 yes, 404 no, 403 someone else's).
    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            _ = try await request("HeadBucket", method: "HEAD", bucket: bucket)
            return true
        } catch let error as AWSError where error.status == 404 {
            return false
        }
    }

    /// The bucket's tags; none is an empty map (S3 answers NoSuchTagSet).
    public func getBucketTagging(_ bucket: String) async throws -> [String: String] {
        do {
            let xml = try XMLNode.parse(try await request("GetBucketTagging", method: "GET", bucket: bucket, query: "tagging=").body)
            var tags: [String: String] = [:]
            for tag in (xml.first("TagSet")?.children("Tag") ?? []) { if let k = tag.string("Key") { tags[k] = tag.string("Value") ?? "" } }
            return tags
        } catch let error as AWSError where error.code == "NoSuchTagSet" {
            return [:]
        }
    }

    /// Replaces the bucket's tags (an empty map deletes them). Tags under `aws:` are the
    /// service's own and cannot be sent; they are left out.
    public func putBucketTagging(_ bucket: String, _ tags: [String: String]) async throws {
        let user = tags.filter { !$0.key.hasPrefix("aws:") }
        if user.isEmpty {
            _ = try await request("DeleteBucketTagging", method: "DELETE", bucket: bucket, query: "tagging=")
            return
        }
        let set = XMLNode(name: "TagSet", children: user.sorted { $0.key < $1.key }.map { tag in
            XMLNode(name: "Tag", children: [XMLNode(name: "Key", text: tag.key), XMLNode(name: "Value", text: tag.value)])
        })
        let body = Data(XMLNode(name: "Tagging", children: [set]).xml(namespace: Self.namespace).utf8)
        // S3 requires a checksum of the body for this call.
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        _ = try await request("PutBucketTagging", method: "PUT", bucket: bucket, query: "tagging=",
                              headers: [("Content-Type", "application/xml"), ("Content-MD5", md5)], body: body)
    }

    // MARK: notifications

    public func getBucketNotificationConfiguration(_ bucket: String) async throws -> XMLNode {
        try XMLNode.parse(try await request("GetBucketNotificationConfiguration", method: "GET", bucket: bucket, query: "notification=").body)
    }

    public func putBucketNotificationConfiguration(_ bucket: String, _ configuration: XMLNode) async throws {
        let body = Data(configuration.xml(namespace: Self.namespace).utf8)
        _ = try await request("PutBucketNotificationConfiguration", method: "PUT", bucket: bucket, query: "notification=",
                              headers: [("Content-Type", "application/xml")], body: body)
    }

    /// Turns on EventBridge delivery for the bucket, keeping its topic, queue and Lambda
    /// notifications: PutBucketNotificationConfiguration replaces the whole document, so
    /// the current one is read and sent back with `<EventBridgeConfiguration/>` added.
    /// Returns false when it was already on (nothing sent).
    @discardableResult
    public func enableEventBridgeNotifications(_ bucket: String) async throws -> Bool {
        var configuration = try await getBucketNotificationConfiguration(bucket)
        if configuration.child("EventBridgeConfiguration") != nil { return false }
        configuration.name = "NotificationConfiguration"
        configuration.children.append(XMLNode(name: "EventBridgeConfiguration"))
        try await putBucketNotificationConfiguration(bucket, configuration)
        return true
    }

    static func query(_ items: [(String, String)]) -> String {
        URIEncoding.query(items.sorted { $0.0 < $1.0 })
    }
}
