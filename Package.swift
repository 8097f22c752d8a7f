// swift-tools-version: 6.0
import PackageDescription

// Targets follow the data flow: config → constructs → template → cloud assembly → deploy.
// Dependencies point only downstream; the AWS layer knows nothing of constructs.
let package = Package(
    name: "tsdeploy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tsdeploy", targets: ["tsdeploy"]),
        .library(name: "CloudFormation", targets: ["CloudFormation"]),
        .library(name: "ConstructCore", targets: ["ConstructCore"]),
        .library(name: "ConstructLibrary", targets: ["ConstructLibrary"]),
        .library(name: "CloudAssembly", targets: ["CloudAssembly"]),
        .library(name: "AWSSigner", targets: ["AWSSigner"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Ordered template values, intrinsic functions, JSON/YAML rendering. No AWS, no constructs.
        .target(name: "CloudFormation"),
        // App → Stack → Construct tree, logical IDs, references and cross-stack wiring.
        .target(name: "ConstructCore", dependencies: [
            "CloudFormation",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // One file per service family: Bucket, Repository, Role, Function, Rule, Project, Pipeline…
        .target(name: "ConstructLibrary", dependencies: ["ConstructCore"]),
        // cdk.out-compatible manifest and the atomic writer.
        .target(name: "CloudAssembly", dependencies: ["CloudFormation", "ConstructCore"]),
        // The tsdat pipelines: config model, validation, the two stacks.
        .target(name: "TsdatApp", dependencies: [
            "ConstructCore",
            "ConstructLibrary",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // SigV4 and credentials values; only swift-crypto, no knowledge of constructs.
        .target(name: "AWSSigner", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Credentials, region and endpoint resolution, retries, and the CloudFormation, S3,
        // STS, SSM and ECR clients over SwiftNIO (async-http-client). Knows nothing of constructs; never prints.
        .target(name: "AWSClient", dependencies: [
            "AWSSigner",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // bootstrap, deploy, diff, destroy: change sets, progress, failure recaps, template diffs.
        .target(name: "DeployEngine", dependencies: ["AWSClient", "ConstructCore", "ConstructLibrary", "CloudFormation"]),
        // The commit a binary was built from, and the glibc-2.34 shims bin/package links with.
        .target(name: "CBuildSupport"),
        // Command implementations; the executable is a thin shell around them.
        .target(name: "TSDeployCLI", dependencies: [
            "TsdatApp", "CloudAssembly", "AWSClient", "DeployEngine", "CBuildSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tsdeploy", dependencies: ["TSDeployCLI"]),

        // The seeded generator the tests that draw inputs share.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        .testTarget(name: "CloudFormationTests", dependencies: ["CloudFormation", "SeededRandom", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "ConstructCoreTests", dependencies: ["ConstructCore", "ConstructLibrary"]),
        .testTarget(name: "AWSSignerTests", dependencies: ["AWSSigner", "SeededRandom"], resources: [.copy("botocore_sign.py")]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "AWSSigner", .product(name: "Crypto", package: "swift-crypto")], exclude: ["transport_servers.py"]),
        .testTarget(name: "DeployEngineTests", dependencies: ["DeployEngine", "AWSClient", "AWSSigner", "ConstructCore", "CloudFormation"]),
        .testTarget(name: "TsdatAppTests", dependencies: ["TsdatApp", "CloudAssembly", "TSDeployCLI", "ConstructLibrary", "SeededRandom"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
