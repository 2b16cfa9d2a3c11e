// ClientSocket: one blocking TCP (or Unix-domain) connection to a PostgreSQL server, for the
// client side of the protocol (WAL receiver, base backup, and later the HA agent's checks).
//
// Why blocking sockets and not SwiftNIO here: a client of this kind has exactly one conversation
// at a time, strictly in order (send a query, read until ReadyForQuery; or stream CopyData), and its
// caller is a dedicated thread that also does blocking disk I/O (writing and fsyncing WAL). A plain
// socket read with a poll(2) timeout is the whole event loop it needs; NIO would add a second thread
// and a hand-off per message for no gain.
//
// Invariants: the descriptor is owned by this object and closed once (close() or deinit).
// `interrupt()` may be called from any thread: it shuts the socket down (not closes it), so a
// thread blocked in `read` returns with an error at once, and the descriptor stays valid until
// the owner closes it.

import Glibc

/// A transport failure, worded as libpq words it ("connection to server at \"h\", port p failed: …").
public struct PGConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

final class ClientSocket: @unchecked Sendable {
    private let descriptor: Int32
    private var closed = false
    /// How the peer is named in error messages: `server at "127.0.0.1", port 5432`.
    let peerDescription: String

    private init(descriptor: Int32, peerDescription: String) {
        self.descriptor = descriptor
        self.peerDescription = peerDescription
    }

    deinit {
        if !closed { _ = Glibc.close(descriptor) }
    }

    /// Connects to `host:port` (a host starting with "/" is a Unix-socket directory, as in libpq),
    /// trying each resolved address in turn, each bounded by `timeout`.
    static func connect(host: String, port: Int, timeout: Duration) throws(PGConnectionError) -> ClientSocket {
        if host.hasPrefix("/") {
            return try connectUnix(directory: host, port: port, timeout: timeout)
        }
        let peer = "server at \"\(host)\", port \(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw PGConnectionError("could not translate host name \"\(host)\" to address: \(reason)")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else { lastError = systemMessage(errno); continue }
            if let failure = connectDescriptor(fd, address.pointee.ai_addr, address.pointee.ai_addrlen, timeout) {
                _ = Glibc.close(fd)
                lastError = failure
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
            return ClientSocket(descriptor: fd, peerDescription: peer)
        }
        throw PGConnectionError("connection to \(peer) failed: \(lastError)")
    }

    private static func connectUnix(directory: String, port: Int, timeout: Duration) throws(PGConnectionError) -> ClientSocket {
        let path = directory + "/.s.PGSQL.\(port)"
        let peer = "server on socket \"\(path)\""
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw PGConnectionError("Unix-domain socket path \"\(path)\" is too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PGConnectionError("could not create socket: \(systemMessage(errno))") }
        let failure = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connectDescriptor(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size), timeout)
            }
        }
        if let failure {
            _ = Glibc.close(fd)
            throw PGConnectionError("connection to \(peer) failed: \(failure)")
        }
        return ClientSocket(descriptor: fd, peerDescription: peer)
    }

    /// Non-blocking connect bounded by `timeout`, then back to blocking mode; nil on success.
    private static func connectDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t,
                                          _ timeout: Duration) -> String? {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { return connectFailure(errno) }
            var pollEntry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pollEntry, 1, milliseconds(timeout))
            if ready == 0 { return "timeout expired" }
            if ready < 0 { return connectFailure(errno) }
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &size)
            if socketError != 0 { return connectFailure(socketError) }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return nil
    }

    private static func connectFailure(_ code: Int32) -> String {
        let text = systemMessage(code)
        guard code == ECONNREFUSED else { return text }
        return text + "\n\tIs the server running on that host and accepting TCP/IP connections?"
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(PGConnectionError) {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let result = send(descriptor, base + done, bytes.count - done, Int32(MSG_NOSIGNAL))
            if result < 0 {
                if errno == EINTR { continue }
                throw PGConnectionError("could not send data to server: \(Self.systemMessage(errno))")
            }
            done += result
        }
    }

    /// Waits up to `timeout` (nil: forever) for bytes; false when the time ran out first, or when
    /// `wake` (another descriptor, e.g. an eventfd) became readable.
    func waitReadable(timeout: Duration?, wake: Int32? = nil) throws(PGConnectionError) -> Bool {
        var entries = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        if let wake { entries.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        while true {
            let ready = poll(&entries, nfds_t(entries.count), timeout.map(Self.milliseconds) ?? -1)
            if ready > 0 { return entries[0].revents != 0 }
            if ready == 0 { return false }
            if errno != EINTR { throw PGConnectionError("select() failed: \(Self.systemMessage(errno))") }
        }
    }

    /// Reads what is available (at least one byte) into `buffer`; throws at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(PGConnectionError) -> Int {
        while true {
            let result = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if result > 0 { return result }
            if result == 0 {
                throw PGConnectionError("server closed the connection unexpectedly")
            }
            if errno != EINTR {
                throw PGConnectionError("could not receive data from server: \(Self.systemMessage(errno))")
            }
        }
    }

    /// Wakes a thread blocked on this socket (any thread may call it).
    func interrupt() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, total))
    }

    static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }
}
