// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Keyward",
    products: [
        .executable(name: "keyward", targets: ["keyward"]),
        .library(name: "KeywardCore", targets: ["KeywardCore"]),
        .library(name: "KeywardScripting", targets: ["KeywardScripting"]),
        .library(name: "KeywardConfiguration", targets: ["KeywardConfiguration"]),
        .library(name: "KeywardStore", targets: ["KeywardStore"]),
        .library(name: "KeywardConnectors", targets: ["KeywardConnectors"]),
        .library(name: "KeywardEngine", targets: ["KeywardEngine"]),
        .library(name: "KeywardLDAP", targets: ["KeywardLDAP"]),
        .library(name: "KeywardCloud", targets: ["KeywardCloud"]),
        .library(name: "KeywardPlugins", targets: ["KeywardPlugins"]),
        .library(name: "KeywardServer", targets: ["KeywardServer"]),
        .library(name: "KeywardPostgres", targets: ["KeywardPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(
            name: "CLuaSandbox",
            dependencies: ["CLua"],
            cSettings: [
                .unsafeFlags(["-Wall", "-Wextra", "-Werror=implicit-function-declaration"]),
                .define("OPENSSL_API_COMPAT", to: "0x10100000L"),
            ],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(
            name: "KeywardCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KeywardScripting",
            dependencies: ["KeywardCore", "CLuaSandbox"]
        ),
        .systemLibrary(
            name: "CLDAP",
            pkgConfig: "ldap",
            providers: [.apt(["libldap-dev", "libsasl2-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CXCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .target(
            name: "KeywardStore",
            dependencies: [
                "KeywardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KeywardConnectors",
            dependencies: [
                "KeywardCore",
                "CXCrypt",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KeywardLDAP",
            dependencies: [
                "KeywardCore",
                "KeywardConnectors",
                "CLDAP",
            ]
        ),
        .target(
            name: "KeywardCloud",
            dependencies: [
                "KeywardCore",
                "KeywardConnectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KeywardPlugins",
            dependencies: [
                "KeywardCore",
                "KeywardConnectors",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KeywardEngine",
            dependencies: [
                "KeywardCore",
                "KeywardStore",
                "KeywardConnectors",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KeywardServer",
            dependencies: [
                "KeywardCore",
                "KeywardStore",
                "KeywardConnectors",
                "KeywardEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "KeywardConfiguration",
            dependencies: [
                "KeywardCore",
                "KeywardScripting",
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "KeywardPostgres",
            dependencies: [
                "KeywardCore", "KeywardStore", "KeywardConnectors",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "keyward",
            dependencies: [
                "KeywardPostgres",
                "KeywardCore",
                "KeywardScripting",
                "KeywardConfiguration",
                "KeywardStore",
                "KeywardConnectors",
                "KeywardLDAP",
                "KeywardCloud",
                "KeywardPlugins",
                "KeywardEngine",
                "KeywardServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "KeywardTestSupport",
            dependencies: [
                "KeywardCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/KeywardTestSupport"
        ),
        .target(
            name: "KeywardQueueTestSupport",
            dependencies: [
                "KeywardCore", "KeywardConnectors", "KeywardEngine", "KeywardStore", "KeywardScripting",
                "KeywardTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KeywardQueueTestSupport"
        ),
        .testTarget(
            name: "KeywardCoreTests",
            dependencies: [
                "KeywardCore", "KeywardTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KeywardScriptingTests",
            dependencies: ["KeywardScripting", "CLuaSandbox", "KeywardTestSupport"]
        ),
        .testTarget(
            name: "KeywardConfigurationTests",
            dependencies: ["KeywardConfiguration", "KeywardCore", "KeywardTestSupport"]
        ),
        .testTarget(
            name: "KeywardStoreTests",
            dependencies: [
                "KeywardStore", "KeywardCore", "KeywardTestSupport", "KeywardPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KeywardConnectorsTests",
            dependencies: [
                "KeywardConnectors", "KeywardCore", "KeywardTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KeywardLDAPTests",
            dependencies: [
                "KeywardQueueTestSupport",
                "KeywardLDAP", "KeywardConnectors", "KeywardCore", "KeywardTestSupport",
                "KeywardEngine", "KeywardStore", "KeywardScripting", "KeywardServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "KeywardCloudTests",
            dependencies: [
                "KeywardQueueTestSupport",
                "KeywardCloud", "KeywardConnectors", "KeywardCore", "KeywardTestSupport",
                "KeywardEngine", "KeywardStore", "KeywardScripting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "KeywardPluginsTests",
            dependencies: [
                "KeywardPlugins", "KeywardConnectors", "KeywardCore", "KeywardTestSupport",
                "KeywardEngine", "KeywardStore", "KeywardScripting",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KeywardEngineTests",
            dependencies: [
                "KeywardEngine", "KeywardStore", "KeywardConnectors", "KeywardCore", "KeywardScripting", "KeywardTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KeywardServerTests",
            dependencies: [
                "KeywardServer", "KeywardQueueTestSupport",
                "KeywardEngine", "KeywardStore", "KeywardConnectors", "KeywardCore", "KeywardScripting", "KeywardTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KeywardPostgresTests",
            dependencies: [
                "KeywardPostgres", "KeywardQueueTestSupport",
                "KeywardEngine", "KeywardStore", "KeywardConnectors", "KeywardCore", "KeywardScripting", "KeywardTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KeywardCLITests",
            dependencies: ["keyward", "KeywardTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)

// Strict settings for every Swift target, in one place (as swift-log does).
for target in package.targets where target.type != .system && target.name != "CLuaSandbox" {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}
