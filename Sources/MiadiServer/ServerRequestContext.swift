import Hummingbird
import NIOCore

/// Each request's context: Hummingbird's core, and the address it came from (what the
/// webhook's rate limit is kept by).
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The source's IP address (no port), or "unknown".
    var sourceIP: String { remoteAddress?.ipAddress ?? "unknown" }
}
