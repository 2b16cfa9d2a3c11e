// BackendFactory and QueryBackend: how PGWire calls the layer above (the Server module adapts
// them onto SQL sessions). PGWire knows nothing about SQL: it only moves messages.
//
// Threading: `authenticationMethod`, `makeBackend` and every QueryBackend call run on the
// connection's own worker thread, never on an event loop, so they may block. `cancel` may come
// from any thread.

/// Creates sessions; one per server, shared by all connections.
public protocol BackendFactory: Sendable {
    /// Decides how this connection authenticates (pg_hba rules + the role's stored verifier). A nil
    /// verifier means the role does not exist or has no password: the exchange still runs, then fails
    /// with 28P01, like PostgreSQL (no role enumeration). A failure is sent as is (FATAL) and the
    /// connection closed, e.g. 28000 `no pg_hba.conf entry for host "…", user "…", database "…", no encryption`.
    func authenticationMethod(for startup: StartupInfo) -> Result<AuthenticationMethod, PGError>
    /// After AuthenticationOk and the ParameterStatus messages: builds the session.
    /// A thrown error is sent (as FATAL) and the connection closed (3D000 unknown database, …).
    func makeBackend(for startup: StartupInfo, processID: Int32, secretKey: Int32) throws(PGError) -> QueryBackend
    /// A CancelRequest arrived; the factory checks the key and cancels that session's statement.
    func cancel(processID: Int32, secretKey: Int32)
    /// ParameterStatus pairs sent after authentication (server_version, client_encoding, …).
    var parameterStatus: [(String, String)] { get }
    /// The pairs for one connection, after its authentication. The default takes `parameterStatus`
    /// and sets application_name to what the client sent; a factory may add per-user values
    /// (is_superuser, session_authorization).
    func parameterStatus(for startup: StartupInfo) -> [(String, String)]
    /// Connections beyond this get FATAL 53300 `sorry, too many clients already`.
    var maxConnections: Int { get }
}

extension BackendFactory {
    public func parameterStatus(for startup: StartupInfo) -> [(String, String)] {
        var pairs = parameterStatus.filter { $0.0 != "application_name" }
        pairs.insert(("application_name", startup.applicationName), at: 0)
        return pairs
    }
}

/// One connection's backend; all calls come on its worker thread, in message order.
public protocol QueryBackend: AnyObject {
    /// Simple Query: emits everything (rows, CommandComplete, EmptyQueryResponse, or an ErrorResponse
    /// that ends the string) through `out`; PGWire then sends ReadyForQuery with `transactionState`.
    func simpleQuery(_ sql: String, _ out: BackendOutput)
    func parse(name: String, query: String, parameterTypes: [UInt32]) throws(PGError)
    func bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?],
              resultFormats: [Int16]) throws(PGError)
    func describeStatement(_ name: String) throws(PGError) -> (parameterTypes: [UInt32], fields: [FieldDescription]?)
    func describePortal(_ name: String) throws(PGError) -> [FieldDescription]?
    /// Runs a portal up to maxRows (0 = all): true if it completed (CommandComplete emitted through
    /// `out`), false if suspended (PGWire sends PortalSuspended).
    func execute(portal: String, maxRows: Int32, _ out: BackendOutput) throws(PGError) -> Bool
    func close(statement: String)
    func close(portal: String)
    /// Sync: ends the implicit transaction (commit, or rollback of a failed one); returns the state
    /// for ReadyForQuery.
    func sync() -> TransactionState
    var transactionState: TransactionState { get }
    /// The connection is gone (Terminate, EOF, or shutdown): roll back and release everything.
    func terminate()
}

/// How a backend answers. Writes reach the socket in order; they are buffered and flushed at
/// ReadyForQuery, at Flush, at the end of each Execute (unless the client already sent more), and
/// whenever the buffer grows large (then the worker waits for the socket, so a huge result never
/// sits in memory).
public protocol BackendOutput: AnyObject {
    func rowDescription(_ fields: [FieldDescription])
    func dataRow(_ values: [[UInt8]?])
    func commandComplete(_ tag: String)
    func emptyQueryResponse()
    func notice(_ notice: PGError)
    /// An ErrorResponse; a FATAL/PANIC one also ends the connection after the current message.
    func error(_ error: PGError)
    func parameterStatus(_ name: String, _ value: String)
    /// COPY FROM STDIN: announce it, then read the client's messages one by one (blocks the worker).
    func copyInResponse(format: Int8, columnFormats: [Int16])
    func readCopyMessage() -> CopyMessage
    /// COPY TO STDOUT.
    func copyOutResponse(format: Int8, columnFormats: [Int16])
    func copyData(_ bytes: [UInt8])
    func copyDone()
    /// START_REPLICATION: CopyBothResponse, sent at once. Both sides then exchange CopyData until one
    /// sends CopyDone; the client's messages come through readCopyMessage(until:).
    func copyBothResponse()
    /// CopyBoth: the client's next COPY message, waiting at most until `deadline`; nil when the
    /// deadline passed or `copyReaderWakeup` was called (by another thread) before a message came.
    func readCopyMessage(until deadline: ContinuousClock.Instant) -> CopyMessage?
    /// Ends a readCopyMessage(until:) wait early (or the next one); callable from any thread (a WAL
    /// sender's flush watcher calls it when new WAL is flushed).
    var copyReaderWakeup: @Sendable () -> Void { get }
    /// Sends what is buffered now and waits until the socket took it (streaming output).
    func flush()
}
