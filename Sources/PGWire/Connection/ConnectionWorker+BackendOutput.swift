// The worker is the BackendOutput its backend writes to: rows and tags go into the OutboundBuffer,
// and COPY FROM STDIN reads the client's next messages straight from the inbound queue.

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
            let (event, resumeReading) = queue.pop(deadline: nil)
            if resumeReading { sink.resumeReading() }
            guard let event else { continue }
            switch event {
            case .message(let message):
                switch machine.received(message) {
                case .deliverCopy(let copyMessage):
                    return copyMessage
                case .closeWithError(let error):
                    pendingCloseError = error
                    return .fail(error.message)
                case .none:
                    continue
                default:
                    // In copyIn the machine answers only with the cases above.
                    pendingCloseError = .protocolViolation("unexpected message during COPY from stdin")
                    return .fail("unexpected message during COPY from stdin")
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
    }

    func copyOutResponse(format: Int8, columnFormats: [Int16]) {
        output.append(.copyResponse(CopyResponse(direction: .copyOut, format: format, columnFormats: columnFormats)))
    }
    func copyData(_ bytes: [UInt8]) { output.append(.copyData(bytes)) }
    func copyDone() { output.append(.copyDone) }
}
