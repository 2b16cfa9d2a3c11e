// CopyMessage: what the client sent during COPY FROM STDIN or CopyBoth (BackendOutput.readCopyMessage).

public enum CopyMessage: Sendable, Equatable {
    case data([UInt8])      // CopyData
    case done               // CopyDone: end of data
    case fail(String)       // CopyFail with the client's reason, or the connection broke / misbehaved
}
