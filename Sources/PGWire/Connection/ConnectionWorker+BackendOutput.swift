// The worker is the BackendOutput its backend writes to: rows and tags go into the OutboundBuffer,
// and COPY FROM STDIN and CopyBoth read the client's next messages straight from the inbound queue.

import Foundation

extension ConnectionWorker: BackendOutput {
    func rowDescription(_ fields: [FieldDescription]) { output.append(.rowDescription(fields)) }
    func dataRow(_ values: [[UInt8]?]) { output.appendDataRow(values) }
    func commandComplete(_ tag: String) { output.append(.commandComplete(tag)) }
    func emptyQueryResponse() { output.append(.emptyQueryResponse) }
    func notice(_ notice: PGError) { output.append(.noticeResponse(notice)) }
    func parameterStatus(_ name: String, _ value: String) { output.append(.parameterStatus(name: name, value: value)) }

    func error(_ error: PGError) {
        output.append(.errorResponse(error))
        if error.severity.endsConnection { fatalErrorSent = true }
    }

    func copyInResponse(format: Int8, columnFormats: [Int16]) {
        output.append(.copyResponse(CopyResponse(direction: .copyIn, format: format, columnFormats: columnFormats)))
        output.flush()
        machine.copyInStarted()
    }

    func readCopyMessage() -> CopyMessage {
        guard case .copyIn = machine.state else { return .fail("COPY FROM STDIN is not in progress") }
        while true {
            if let message = nextCopyMessage(deadline: nil, wakeable: false) { return message }
        }
    }

    func copyBothResponse() {
        output.append(.copyResponse(CopyResponse(direction: .copyBoth, format: 0, columnFormats: [])))
        output.flush()
        machine.copyInStarted()
    }

    func readCopyMessage(until deadline: ContinuousClock.Instant) -> CopyMessage? {
        guard case .copyIn = machine.state else { return .fail("COPY is not in progress") }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
        return nextCopyMessage(deadline: Date(timeIntervalSinceNow: max(0, seconds)), wakeable: true)
    }

    var copyReaderWakeup: @Sendable () -> Void {
        let queue = self.queue
        return { queue.wake() }
    }

    func flush() { output.flush(waitUntilWritten: true) }

    /// One step of reading the client's COPY messages: the message, or nil when the wait ended
    /// (deadline, wake-up) or the event was not for COPY.
    private func nextCopyMessage(deadline: Date?, wakeable: Bool) -> CopyMessage? {
        let (event, resumeReading) = queue.pop(deadline: deadline, wakeable: wakeable)
        if resumeReading { sink.resumeReading() }
        guard let event else { return nil }
        switch event {
        case .message(let message):
            switch machine.received(message) {
            case .deliverCopy(let copyMessage):
                return copyMessage
            case .closeWithError(let error):
                pendingCloseError = error
                return .fail(error.message)
            case .none:
                return nil
            default:
                // In copyIn the machine answers only with the cases above.
                pendingCloseError = .protocolViolation("unexpected message during COPY")
                return .fail("unexpected message during COPY")
            }
        case .decodingFailed(let error):
            _ = machine.decodingFailed(error)
            pendingCloseError = error
            return .fail(error.message)
        case .connectionLost:
            _ = machine.connectionLost()
            return .fail("connection to client lost")
        case .administratorShutdown:
            _ = machine.administratorShutdown()
            pendingCloseError = .administratorShutdown
            return .fail(PGError.administratorShutdown.message)
        }
    }

    func copyOutResponse(format: Int8, columnFormats: [Int16]) {
        output.append(.copyResponse(CopyResponse(direction: .copyOut, format: format, columnFormats: columnFormats)))
    }
    func copyData(_ bytes: [UInt8]) { output.append(.copyData(bytes)) }
    func copyDone() { output.append(.copyDone) }
}
