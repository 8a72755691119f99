// swift-tools-version: 6.1
import PackageDescription

// Upcoming features turned on for the whole package, as hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "flutterbye-chain-worker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SolanaCore", targets: ["SolanaCore"]),
        .library(name: "SolanaRPC", targets: ["SolanaRPC"]),
        .library(name: "FlutterbyeStore", targets: ["FlutterbyeStore"]),
        .executable(name: "flutterbye", targets: ["flutterbye"]),
        .executable(name: "flutterbye-bench", targets: ["flutterbye-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-algorithms.git", from: "1.2.1"),
        // The status API's server code is generated from its OpenAPI document (Scripts/generate-openapi.sh) and uses
        // the runtime; the Hummingbird transport serves it on the API's router.
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
    ],
    targets: [
        // Pure Solana primitives: keys, wire formats, instruction builders and decoders, and the chain's data as
        // values (fetched transactions, JSON values, the cluster). No I/O.
        .target(
            name: "SolanaCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Solana JSON-RPC over HTTP: typed methods, endpoint failover, batching, per-endpoint rate limits; PubSub over
        // WebSocket.
        .target(
            name: "SolanaRPC",
            dependencies: [
                "SolanaCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // PubSub over WebSocket (logsSubscribe, signatureSubscribe).
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Algorithms", package: "swift-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL access: configuration, schema migration (schema.sql is embedded, through a symlink, so the
        // binary migrates without the source tree) and the token job queue (SolanaCore checks job addresses).
        .target(
            name: "FlutterbyeStore",
            dependencies: [
                "SolanaCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The pool's own errors (its circuit breaker), told apart from a failed statement.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Resources/schema.sql")],
            swiftSettings: swiftSettings
        ),
        // The token worker: turns queued jobs into exactly one on-chain token each.
        .target(
            name: "TokenWorker",
            dependencies: [
                "SolanaCore",
                "SolanaRPC",
                "FlutterbyeStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Algorithms", package: "swift-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        // The indexer: FLBY mint, escrow and fee-wallet activity read from the chain into PostgreSQL.
        .target(
            name: "FlutterbyeIndexer",
            dependencies: [
                "SolanaCore",
                "SolanaRPC",
                "FlutterbyeStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Algorithms", package: "swift-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command-line entry point.
        .executableTarget(
            name: "flutterbye",
            dependencies: [
                "SolanaCore",
                "SolanaRPC",
                "FlutterbyeStore",
                "TokenWorker",
                "FlutterbyeAPI",
                "FlutterbyeIndexer",
                "FlutterbyeService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The status API (Hummingbird): health, readiness, Prometheus metrics, and behind a bearer token the token
        // job routes, the index and queue status and the event stream (a WebSocket).
        .target(
            name: "FlutterbyeAPI",
            dependencies: [
                "FlutterbyeStore",
                "FlutterbyeIndexer",
                "SolanaCore",
                "SolanaRPC",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            ],
            // The OpenAPI 3.1 document GET /openapi.json serves (CI runs schemathesis against it); Generated/ is the
            // server code generated from it (Scripts/generate-openapi.sh). The status page (GET /) and its assets,
            // compiled into the binary, so that a copied `flutterbye` serves them.
            resources: [
                .embedInCode("Resources/openapi.json"), .embedInCode("Resources/status_page.html"), .embedInCode("Resources/status_page.js"),
                .embedInCode("Resources/status_page_model.js"), .embedInCode("Resources/status_page.css"),
            ],
            swiftSettings: swiftSettings
        ),
        // The service as ops run it: the whole configuration, read from the environment (every variable, here and only
        // here, through swift-configuration), production mode, the log format.
        .target(
            name: "FlutterbyeService",
            dependencies: [
                "SolanaCore",
                "SolanaRPC",
                "FlutterbyeStore",
                "FlutterbyeIndexer",
                "TokenWorker",
                "FlutterbyeAPI",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks, run with `swift run -c release flutterbye-bench`; references in other languages are
        // under Benchmarks/reference. The indexer benchmark serves recorded RPC answers with Hummingbird. The
        // sender benchmark runs the `flutterbye` executable as a process: depending on it builds it alongside, in
        // the same configuration (an executable dependency is built, not linked).
        .executableTarget(
            name: "flutterbye-bench",
            dependencies: [
                "flutterbye",
                "SolanaCore",
                "SolanaRPC",
                "FlutterbyeStore",
                "FlutterbyeIndexer",
                "TokenWorker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Algorithms", package: "swift-algorithms"),
            ],
            path: "Benchmarks/flutterbye-bench",
            swiftSettings: swiftSettings
        ),
        // What several test targets share: the repository's root, the test database, a PostgreSQL cluster of a test's own,
        // a table held locked so that a statement gets no answer, a seeded random source, a value behind a lock. A plain
        // target under Tests/, depended on by test targets only.
        .target(
            name: "FlutterbyeTestSupport",
            dependencies: [
                "FlutterbyeStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FlutterbyeTestSupport",
            swiftSettings: swiftSettings
        ),
        // What the tests against the local chain (Tests/LocalChain), a database of their own and the built `flutterbye`
        // share: the local chain's and LiteSVM's launchers, the worker tests' environment, the `flutterbye` process
        // launcher, a raw HTTP connection and an event stream client. Depended on by test targets only.
        .target(
            name: "ChainTestSupport",
            dependencies: [
                "FlutterbyeTestSupport", "FlutterbyeStore", "SolanaCore", "SolanaRPC",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/ChainTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SolanaCoreTests",
            dependencies: ["SolanaCore", "FlutterbyeTestSupport"],
            // The solders reference vectors and their generator; the tests read vectors.json by path.
            exclude: ["Vectors"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenWorkerTests",
            dependencies: ["TokenWorker", "SolanaCore", "SolanaRPC", "FlutterbyeStore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The token worker on the local chain and PostgreSQL: each job one token, exactly once, through faults, crashes
        // and adversaries; the transactions it builds executed in LiteSVM.
        .testTarget(
            name: "TokenWorkerChainTests",
            dependencies: [
                "TokenWorker", "SolanaCore", "SolanaRPC", "FlutterbyeStore", "ChainTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SolanaRPCTests",
            // NIO: the fuzz tests' hostile HTTP server; AsyncHTTPClient: their client's connection pool.
            dependencies: [
                "SolanaRPC", "SolanaCore", "FlutterbyeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The JSON-RPC client against the local chain: sends, statuses, blockhashes, and getTransaction of what the
        // chain executed.
        .testTarget(
            name: "SolanaRPCChainTests",
            dependencies: [
                "SolanaRPC", "SolanaCore", "TokenWorker", "FlutterbyeIndexer", "ChainTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local chain itself (Tests/LocalChain): Solana's JSON-RPC answers, and each of its faults.
        .testTarget(
            name: "LocalChainTests",
            dependencies: ["SolanaCore", "ChainTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FlutterbyeIndexerTests",
            dependencies: [
                "FlutterbyeIndexer", "FlutterbyeStore", "SolanaCore", "SolanaRPC", "FlutterbyeTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The indexer on the local chain and PostgreSQL: histories made by Tests/LocalChain/flby_history.py indexed
        // complete and exact, through faults, finality and kills; the calls it costs.
        .testTarget(
            name: "FlutterbyeIndexerChainTests",
            dependencies: [
                "FlutterbyeIndexer", "FlutterbyeStore", "SolanaCore", "SolanaRPC", "FlutterbyeTestSupport", "ChainTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The status API: its rules as values, and (HTTP/) the live server over real HTTP and WebSockets against real
        // PostgreSQL.
        .testTarget(
            name: "FlutterbyeAPITests",
            dependencies: [
                "FlutterbyeAPI", "FlutterbyeStore", "FlutterbyeIndexer", "SolanaCore", "SolanaRPC", "FlutterbyeTestSupport", "ChainTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The digest of the OpenAPI document the generated code names; URI, for the job list's query.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FlutterbyeServiceTests",
            dependencies: [
                "FlutterbyeService", "FlutterbyeAPI", "FlutterbyeIndexer", "TokenWorker", "FlutterbyeStore", "SolanaCore", "SolanaRPC",
                // The access events of the values read, to see that secrets are marked.
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `flutterbye` binary as operators run it, as a process: its commands, the configuration it refuses,
        // production mode, RPC credentials kept secret, the demo, and the load and abuse run.
        .testTarget(
            name: "FlutterbyeProcessTests",
            dependencies: [
                "SolanaCore", "SolanaRPC", "FlutterbyeStore", "FlutterbyeTestSupport", "ChainTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FlutterbyeStoreTests",
            dependencies: [
                "FlutterbyeStore",
                "FlutterbyeTestSupport",
                "SolanaCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
