import AWSClient
import Crypto
import Foundation

/// Publishes a stack's file assets (e.g. the Linux tsdeploy binary the build runs) to the
/// toolkit's staging bucket, content-addressed: the key holds the file's SHA-256, which the
/// stack receives as a parameter and the consumer checks after downloading.
enum FileAssets {
    static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DeployError("cannot read \(path)", hint: "check the path given for the asset")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The parameter value for each asset: the hash of the file published now; else the value
    /// already deployed; else the template's default, with a warning saying what follows.
    static func resolve(_ stack: DeployableStack, sources: [String: String], missing: [String: String], stagingBucket: String?, s3: S3Client,
                        previous: Set<String>, reporter: any DeployReporter) async throws -> [CloudFormation.Parameter] {
        var parameters: [CloudFormation.Parameter] = []
        for asset in stack.fileAssets {
            guard let path = sources[asset.source] else {
                if previous.contains(asset.parameter) {
                    parameters.append(.init(usePrevious: asset.parameter))
                } else {
                    let fallback = (stack.parameterDefaults[asset.parameter] ?? nil) ?? ""
                    reporter.warn(stack.name, "no \(asset.source) to publish (\(missing[asset.source] ?? "not given")); "
                                  + "\(asset.parameter) stays '\(fallback)' and what needs it will stop with a message until you deploy with one")
                    parameters.append(.init(key: asset.parameter, value: fallback))
                }
                continue
            }
            guard let bucket = stagingBucket else {
                throw DeployError("\(stack.name) publishes \(asset.source) to the staging bucket, and there is none",
                                  hint: "run `tsdeploy bootstrap` for this account and region")
            }
            let sha = try sha256(of: path)
            let key = asset.key.replacingOccurrences(of: "{sha256}", with: sha)
            if (try? await s3.headObject(bucket: bucket, key: key)) ?? nil == nil {
                _ = try await s3.putObject(bucket: bucket, key: key, file: path, contentType: "application/octet-stream")
                reporter.info(stack.name, "published \(asset.source) (sha256 \(sha.prefix(12))…) to s3://\(bucket)/\(key)")
            }
            parameters.append(.init(key: asset.parameter, value: sha))
        }
        return parameters
    }
}
