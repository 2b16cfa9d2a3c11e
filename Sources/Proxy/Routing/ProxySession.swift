// One client session through a listener: the backend it was routed to, its byte counters (updated by
// the splice handlers on the session's event loop, read by the stats page from any thread), and how to
// cut it (close the client connection, which closes the backend connection with it).

import Synchronization

public final class ProxySession: Sendable {
    public let role: BackendRole
    public let backendIndex: Int
    /// Client → backend.
    private let bytesIn = Atomic<UInt64>(0)
    /// Backend → client.
    private let bytesOut = Atomic<UInt64>(0)
    private let cutAction: @Sendable () -> Void

    init(role: BackendRole, backendIndex: Int, cut: @escaping @Sendable () -> Void) {
        self.role = role
        self.backendIndex = backendIndex
        self.cutAction = cut
    }

    func countIn(_ bytes: Int) { bytesIn.wrappingAdd(UInt64(bytes), ordering: .relaxed) }
    func countOut(_ bytes: Int) { bytesOut.wrappingAdd(UInt64(bytes), ordering: .relaxed) }
    var bytes: (in: UInt64, out: UInt64) { (bytesIn.load(ordering: .relaxed), bytesOut.load(ordering: .relaxed)) }

    /// Ends the session at once (on-marked-down shutdown-sessions).
    func cut() { cutAction() }
}
