import Foundation

/// A blocking TCP socket to a server on 127.0.0.1, for tests that must send bytes no client
/// library would (half a request head, unmasked frames, a shut write side) or see exactly what
/// the server sends back. Blocking: use it on a thread of its own (`OffPool`, `Thread`), never
/// on the cooperative pool the server under test may share.
public struct LoopbackSocket: ~Copyable {
    public let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; a receive waits at most `readTimeoutSeconds`.
    public init(port: Int, readTimeoutSeconds: Int = 30) throws(POSIXError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends `bytes` (no SIGPIPE on a socket the server closed); returns what `send` returned.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what is there into `chunk` (waiting for it unless `waiting` is false); returns
    /// `recv`'s result: > 0 bytes read, 0 the server closed, < 0 an error or the timeout.
    public func receive(into chunk: inout [UInt8], waiting: Bool = true) -> Int {
        let capacity = chunk.count
        return chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, capacity, waiting ? 0 : Int32(MSG_DONTWAIT)) }
    }

    /// The descriptor, kept open and now the caller's to close (a test that holds many).
    public consuming func takeDescriptor() -> Int32 {
        let fd = descriptor
        discard self
        return fd
    }

    /// Shuts the write side: the server reads the end of the stream (a peer that died).
    public func shutWrite() { shutdown(descriptor, Int32(SHUT_WR)) }
}
