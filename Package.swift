// swift-tools-version:6.1
// Miadi: an appointment-booking voicebot for Sautikit calls, and the offline lab that tests it.
// Module layout and dependency arrows: ../shared/DESIGN.md ("Architecture").
import PackageDescription

let package = Package(
    name: "Miadi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "miadi", targets: ["miadi"]),
        .library(name: "MiadiAudio", targets: ["MiadiAudio"]),
        .library(name: "MiadiLanguage", targets: ["MiadiLanguage"]),
        .library(name: "MiadiBooking", targets: ["MiadiBooking"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", exact: "1.35.2"),
    ],
    targets: [
        // libsndfile through pkg-config; Debian: apt-get install libsndfile1-dev.
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        // The resampler's inner loop, compiled for AVX beside the baseline and chosen at run time.
        .target(name: "CMiadiDSP"),
        // The platform's side of N streams from one thread (epoll): `miadi bench bridge`'s load
        // generator, in C so that it takes little of the cores it shares with the server.
        .target(name: "CMiadiLoad"),
        // glibc's malloc_trim, which Swift's Glibc module does not export: `miadi serve` gives
        // back what a passed flood of webhooks took.
        .target(name: "CMiadiHeap"),
        // `miadi bench bridge`: the load run, the servers it measures, their CPU and memory.
        .target(
            name: "MiadiLoad",
            dependencies: ["CMiadiLoad", "MiadiAudio"]
        ),
        .target(
            name: "MiadiAudio",
            dependencies: ["CSndFile", "CMiadiDSP", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .target(
            name: "MiadiLanguage"
        ),
        // JSON coders configured once (sorted keys, unescaped slashes): every file and message.
        .target(
            name: "MiadiJSON"
        ),
        // The calendar: clinics, availability, holds, commits and the SQLite store. It uses
        // MiadiLanguage only for its calendar value types (CivilDate, ClockTime).
        .target(
            name: "MiadiBooking",
            dependencies: [
                "MiadiJSON", "MiadiLanguage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Caller audio keyed by (text, language, voice): the lab's callers and the mock's ears.
        .target(
            name: "MiadiCorpus",
            dependencies: ["MiadiJSON", "MiadiAudio", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The model interface every provider implements (mock, Gemini Live, OpenAI Realtime…).
        .target(
            name: "MiadiProviders",
            dependencies: ["MiadiAgent", "MiadiAudio", "MiadiBooking", "MiadiCorpus", "MiadiLanguage"]
        ),
        // One call's conversation: the trace, tools and the confirm-before-commit guard.
        .target(
            name: "MiadiAgent",
            dependencies: ["MiadiJSON", "MiadiBooking", "MiadiLanguage"]
        ),
        // The call machine (session + model + agent), the stream session and the webhook's XML:
        // sans-I/O, no server code. Every shell (serve, the lab, the socket lab) runs a call here.
        .target(
            name: "MiadiBridge",
            dependencies: ["MiadiAgent", "MiadiBooking", "MiadiProviders", "MiadiAudio", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The I/O shell of `miadi serve`: Hummingbird, WebSocket, metrics, and the REST client.
        .target(
            name: "MiadiServer",
            dependencies: [
                "MiadiJSON", "MiadiBridge", "MiadiProviders", "MiadiBooking", "MiadiLive", "CMiadiHeap",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MiadiSimulator",
            dependencies: [
                "MiadiScoring", "MiadiReports", "MiadiCorpus",
                "MiadiAudio", "MiadiBridge", "MiadiProviders", "MiadiAgent", "MiadiBooking", "MiadiLanguage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The verdicts: metrics from a call's trace and recording (shared/spec/metrics.md).
        .target(
            name: "MiadiScoring",
            dependencies: ["MiadiAgent", "MiadiAudio", "MiadiLanguage"]
        ),
        // Files people read and machines gate on: results.json, calls.csv, junit.xml.
        .target(
            name: "MiadiReports",
            // MiadiBooking for its strict YAML reader (the price table).
            dependencies: ["MiadiJSON", "MiadiScoring", "MiadiAgent", "MiadiBooking"]
        ),
        // Live models over the network (OpenAI Realtime, …): each protocol without I/O, and the
        // WebSocket shell that runs one for a call.
        .target(
            name: "MiadiLive",
            dependencies: [
                "MiadiJSON", "MiadiAgent", "MiadiAudio", "MiadiBooking", "MiadiLanguage", "MiadiProviders",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Local services that speak the live providers' protocols message for message, with the
        // mock as their brain: what the live clients are tested against (no network here).
        .target(
            name: "MiadiFakeProviders",
            dependencies: [
                "MiadiLive", "MiadiAgent", "MiadiAudio", "MiadiProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The lab over real sockets: the emulated platform against a real `miadi serve`.
        .target(
            name: "MiadiSocketLab",
            dependencies: [
                "MiadiJSON", "MiadiSimulator", "MiadiServer", "MiadiLive", "MiadiBridge", "MiadiAgent", "MiadiAudio", "MiadiBooking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "miadi",
            dependencies: [
                "MiadiAudio",
                "MiadiSimulator",
                "MiadiCorpus",
                "MiadiSocketLab",
                "MiadiLive",
                "MiadiFakeProviders",
                "MiadiScoring",
                "MiadiReports",
                "MiadiBooking",
                "MiadiServer",
                "MiadiLoad",
                "MiadiBridge",
                "MiadiProviders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: the repository's root, scratch folders, the `miadi`
        // executable (run, or serving on a port of its own choosing), and the test tags.
        .target(
            name: "MiadiTestSupport",
            path: "Tests/MiadiTestSupport"
        ),
        .testTarget(
            name: "MiadiAudioTests",
            dependencies: ["MiadiTestSupport", "MiadiAudio", "CMiadiDSP"]
        ),
        .testTarget(
            name: "MiadiLanguageTests",
            dependencies: ["MiadiTestSupport", "MiadiLanguage"]
        ),
        .testTarget(
            name: "MiadiBookingTests",
            dependencies: ["MiadiTestSupport", "MiadiBooking", "MiadiLanguage", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MiadiLiveTests",
            dependencies: [
                "MiadiTestSupport", "MiadiLive", "MiadiFakeProviders", "MiadiServer", "MiadiReports", "MiadiAgent", "MiadiAudio", "MiadiBooking", "MiadiCorpus", "MiadiProviders", "MiadiLanguage",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MiadiAgentTests",
            dependencies: ["MiadiTestSupport", "MiadiAgent", "MiadiJSON", "MiadiBooking", "MiadiLanguage"]
        ),
        .testTarget(
            name: "MiadiProvidersTests",
            dependencies: ["MiadiTestSupport", "MiadiProviders", "MiadiAgent", "MiadiBooking", "MiadiLanguage", "MiadiAudio"]
        ),
        .testTarget(
            name: "MiadiBridgeTests",
            dependencies: ["MiadiTestSupport", "MiadiBridge", "MiadiProviders", "MiadiAgent", "MiadiAudio", "MiadiBooking", "MiadiLanguage", "MiadiJSON"]
        ),
        .testTarget(
            name: "MiadiServerTests",
            dependencies: [
                "MiadiTestSupport", "MiadiServer", "CMiadiHeap", "MiadiBridge", "MiadiAgent", "MiadiAudio", "MiadiProviders", "MiadiBooking", "MiadiLanguage",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "MiadiScoringTests",
            dependencies: ["MiadiTestSupport", "MiadiScoring", "MiadiAgent", "MiadiAudio", "MiadiLanguage"]
        ),
        .testTarget(
            name: "MiadiReportsTests",
            dependencies: ["MiadiTestSupport", "MiadiReports", "MiadiScoring", "MiadiJSON"]
        ),
        .testTarget(
            name: "MiadiCLITests",
            // Runs the `miadi` executable itself: exit codes are what CI reads.
            dependencies: ["MiadiTestSupport", "miadi", "MiadiReports", "MiadiScoring"]
        ),
        .testTarget(
            name: "MiadiSocketLabTests",
            // Runs the `miadi` executable itself (its own process, its own thread pool).
            dependencies: ["MiadiTestSupport", "miadi", "MiadiSimulator", "MiadiReports", "MiadiBooking", "MiadiAgent"]
        ),
        .testTarget(
            name: "MiadiLoadTests",
            // Serves with the `miadi` executable itself, in a process of its own.
            dependencies: ["MiadiTestSupport", "miadi", "MiadiLoad", "MiadiAudio"]
        ),
        .testTarget(
            name: "MiadiSimulatorTests",
            dependencies: ["MiadiTestSupport", "MiadiSimulator", "MiadiCorpus", "MiadiAudio", "MiadiBooking", "MiadiAgent", "MiadiProviders", "MiadiBridge", "MiadiLanguage", .product(name: "Yams", package: "Yams")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
