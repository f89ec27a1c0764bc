// swift-tools-version: 6.2
import PackageDescription

// Nested so that `swift build` at the root never compiles the benchmark
// (STYLE.md rule 11). Run from the repository root:
//   swift build -c release --product keyward
//   swift run -c release --package-path Benchmarks keyward-bench --keyward .build/release/keyward
let package = Package(
    name: "KeywardBenchmarks",
    products: [
        .executable(name: "keyward-bench", targets: ["keyward-bench"])
    ],
    dependencies: [
        .package(name: "Keyward", path: ".."),
        // The queue benchmark's baseline writes through GRDB directly, and
        // the executor it drives takes a Logger.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The API load figure runs the server (Hummingbird) and its clients.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The baseline: the same chunk through the plain Lua C API, no sandbox.
        .target(
            name: "CBareLua",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-O2"])],
            linkerSettings: [.linkedLibrary("lua5.4")]
        ),
        // Figure (f)'s baseline: Password Modify through plain libldap, one
        // bound connection, in a C loop.
        .target(
            name: "CBareLDAP",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-O2"])],
            linkerSettings: [.linkedLibrary("ldap"), .linkedLibrary("lber")]
        ),
        .executableTarget(
            name: "keyward-bench",
            dependencies: [
                "CBareLua",
                "CBareLDAP",
                .product(name: "KeywardCore", package: "Keyward"),
                .product(name: "KeywardScripting", package: "Keyward"),
                .product(name: "KeywardStore", package: "Keyward"),
                .product(name: "KeywardConnectors", package: "Keyward"),
                .product(name: "KeywardEngine", package: "Keyward"),
                .product(name: "KeywardLDAP", package: "Keyward"),
                .product(name: "KeywardServer", package: "Keyward"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// The root package's strict settings, for the benchmark's Swift too.
for target in package.targets where !["CBareLua", "CBareLDAP"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}
