import Foundation

/// ECR (JSON 1.1; host `api.ecr.<region>`, signing name `ecr`).
public struct ECRClient: Sendable {
    public let client: AWSClient
    static let prefix = "AmazonEC2ContainerRegistry_V20150921."
    public init(_ client: AWSClient) { self.client = client }

    public struct Repository: Sendable, Equatable, Decodable {
        public var repositoryName: String
        public var repositoryArn: String?
        public var repositoryUri: String?
        public var registryId: String?
    }

    public struct ImageIdentifier: Sendable, Equatable, Codable, Hashable {
        public var imageTag: String?
        public var imageDigest: String?
        public init(tag: String) { imageTag = tag }
        public init(digest: String) { imageDigest = digest }
    }

    public struct ImageDetail: Sendable, Equatable, Decodable {
        public var imageDigest: String?
        public var imageTags: [String]?
        public var imagePushedAt: Date?
        public var imageSizeInBytes: Int?
    }

    struct DescribeRepositoriesInput: Encodable { var repositoryNames: [String]?; var nextToken: String? }
    struct DescribeRepositoriesOutput: Decodable { var repositories: [Repository]?; var nextToken: String? }

    public func describeRepositories(_ names: [String]? = nil) async throws -> [Repository] {
        var all: [Repository] = []
        var token: String?
        repeat {
            let page = try await client.json(Self.prefix + "DescribeRepositories", operation: "DescribeRepositories",
                                             DescribeRepositoriesInput(repositoryNames: names, nextToken: token),
                                             as: DescribeRepositoriesOutput.self)
            all += page.repositories ?? []
            token = page.nextToken
        } while token != nil
        return all
    }

    /// The named repositories that exist (a missing one is not an error here).
    public func describeRepositoriesIfExist(_ names: [String]) async throws -> [Repository] {
        do { return try await describeRepositories(names) } catch let error as AWSError where error.code == "RepositoryNotFoundException" {
            return []
        }
    }

    struct TagsInput: Encodable { var resourceArn: String }
    struct TagsOutput: Decodable { var tags: [Tag]? }
    struct Tag: Decodable { var Key: String; var Value: String }

    public func listTags(_ arn: String) async throws -> [String: String] {
        let out = try await client.json(Self.prefix + "ListTagsForResource", operation: "ListTagsForResource", TagsInput(resourceArn: arn), as: TagsOutput.self)
        return Dictionary((out.tags ?? []).map { ($0.Key, $0.Value) }, uniquingKeysWith: { a, _ in a })
    }

    struct UntagInput: Encodable { var resourceArn: String; var tagKeys: [String] }
    struct Empty: Decodable {}

    public func untag(_ arn: String, keys: [String]) async throws {
        _ = try await client.json(Self.prefix + "UntagResource", operation: "UntagResource", UntagInput(resourceArn: arn, tagKeys: keys), as: Empty.self)
    }

    struct DescribeImagesInput: Encodable { var repositoryName: String; var imageIds: [ImageIdentifier]?; var nextToken: String? }
    struct DescribeImagesOutput: Decodable { var imageDetails: [ImageDetail]?; var nextToken: String? }

    /// Images of a repository, all or the given ones. A missing tag or digest is an
    /// `ImageNotFoundException`, a missing repository `RepositoryNotFoundException`.
    public func describeImages(repository: String, imageIds: [ImageIdentifier]? = nil) async throws -> [ImageDetail] {
        var all: [ImageDetail] = []
        var token: String?
        repeat {
            let page = try await client.json(Self.prefix + "DescribeImages", operation: "DescribeImages",
                                             DescribeImagesInput(repositoryName: repository, imageIds: imageIds, nextToken: token),
                                             as: DescribeImagesOutput.self)
            all += page.imageDetails ?? []
            token = page.nextToken
        } while token != nil
        return all
    }

    /// Whether the image exists (false for a missing image or repository).
    public func imageExists(repository: String, _ id: ImageIdentifier) async throws -> Bool {
        do { return try await !describeImages(repository: repository, imageIds: [id]).isEmpty } catch let error as AWSError
            where error.code == "ImageNotFoundException" || error.code == "RepositoryNotFoundException" {
            return false
        }
    }

    struct PutImageInput: Encodable { var repositoryName: String; var imageManifest: String; var imageTag: String? }
    struct PutImageOutput: Decodable { struct Image: Decodable { var imageId: ImageIdentifier? }; var image: Image? }

    /// Registers a manifest under a tag (what a build's push ends with); returns its digest.
    @discardableResult
    public func putImage(repository: String, manifest: String, tag: String?) async throws -> String? {
        try await client.json(Self.prefix + "PutImage", operation: "PutImage",
                              PutImageInput(repositoryName: repository, imageManifest: manifest, imageTag: tag),
                              as: PutImageOutput.self).image?.imageId?.imageDigest
    }

    struct BatchDeleteImageInput: Encodable { var repositoryName: String; var imageIds: [ImageIdentifier] }
    struct BatchDeleteImageOutput: Decodable {
        struct Failure: Decodable { var imageId: ImageIdentifier?; var failureCode: String?; var failureReason: String? }
        var failures: [Failure]?
    }

    /// Deletes images (up to 100 per call; each digest once); returns the reasons of those
    /// ECR refused. An image already gone (ImageNotFound) is what was wanted, not a refusal.
    public func batchDeleteImage(repository: String, imageIds: [ImageIdentifier]) async throws -> [String] {
        var seen: Set<String> = []
        let unique = imageIds.filter { seen.insert($0.imageDigest ?? "tag:" + ($0.imageTag ?? "")).inserted }
        var refused: [String] = []
        for start in stride(from: 0, to: unique.count, by: 100) {
            let output = try await client.json(Self.prefix + "BatchDeleteImage", operation: "BatchDeleteImage",
                                               BatchDeleteImageInput(repositoryName: repository,
                                                                     imageIds: Array(unique[start..<min(start + 100, unique.count)])),
                                               as: BatchDeleteImageOutput.self)
            refused += (output.failures ?? []).filter { $0.failureCode != "ImageNotFound" }
                .map { "\($0.failureCode ?? "error"): \($0.failureReason ?? "")" }
        }
        return refused
    }
}
