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
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // libsndfile through pkg-config; Debian: apt-get install libsndfile1-dev.
        .systemLibrary(
            name: "CSndFile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        .target(
            name: "MiadiAudio",
            dependencies: ["CSndFile"]
        ),
        .target(
            name: "MiadiLanguage"
        ),
        // The calendar: clinics, availability, holds, commits and the SQLite store. It uses
        // MiadiLanguage only for its calendar value types (CivilDate, ClockTime).
        .target(
            name: "MiadiBooking",
            dependencies: [
                "MiadiLanguage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "MiadiSimulator",
            dependencies: [
                "MiadiAudio",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "miadi",
            dependencies: [
                "MiadiAudio",
                "MiadiSimulator",
                "MiadiBooking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "MiadiAudioTests",
            dependencies: ["MiadiAudio"]
        ),
        .testTarget(
            name: "MiadiLanguageTests",
            dependencies: ["MiadiLanguage"]
        ),
        .testTarget(
            name: "MiadiBookingTests",
            dependencies: ["MiadiBooking", "MiadiLanguage", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MiadiSimulatorTests",
            dependencies: ["MiadiSimulator", "MiadiAudio"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
