import ArgumentParser
import Foundation

/// Prints an input error for a person (the message names the file and line) and exits 2,
/// the command line's code for bad usage or bad input.
func failOnBadInput(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}
