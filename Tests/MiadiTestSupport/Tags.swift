import Testing

extension Tag {
    /// Long tests (minutes of real time, or whole suites). They live in suites named
    /// `…SlowTests`, because this toolchain's `swift test` filters by name, not yet by tag:
    /// the README's test command is `swift test --skip SlowTests`; `.ci/run` then runs each
    /// slow suite on its own (`Scripts/run-slow-tests`: a new `…SlowTests` suite goes in its list).
    @Tag public static var slow: Self
    /// Tests that use real sockets on 127.0.0.1.
    @Tag public static var sockets: Self
    /// Tests that run the `miadi` executable itself, in a process of its own.
    @Tag public static var executable: Self
}
