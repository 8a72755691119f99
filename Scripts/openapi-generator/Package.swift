// swift-tools-version: 6.2
import PackageDescription

// Builds swift-openapi-generator, pinned, for Scripts/generate-openapi.sh: the only reason this package exists. It is
// not part of the service's package, so that neither a build nor CI compiles the generator (OpenAPIKit, Yams).
let package = Package(
    name: "openapi-generator",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ]
)
