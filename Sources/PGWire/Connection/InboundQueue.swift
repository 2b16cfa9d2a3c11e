// InboundQueue: hands events from the event loop (decoded messages, EOF) to the connection's
// worker thread, in order. Bounded: when it holds `maxEvents` the event loop stops reading the
// socket (autoRead off) and reading resumes once the worker has drained it to half. An urgent
// event (administrator shutdown) jumps the queue. During CopyBoth (a WAL sender streaming) another
// thread may `wake()` the worker out of a wait, so it notices new WAL without polling.

import Foundation

enum WorkerEvent: Sendable {
    case message(FrontendMessage)
    case decodingFailed(PGError)
    case connectionLost
    case administratorShutdown
}

final class InboundQueue: @unchecked Sendable {
    /// Decoded messages buffered per connection before the socket stops being read.
    static let maxEvents = 256

    private let condition = NSCondition()
    private var events: [WorkerEvent] = []
    private var head = 0
    private var readingPaused = false
    private var urgent: WorkerEvent?
    /// Set by wake(); consumed by the next pop(deadline:wakeable: true).
    private var woken = false

    /// Appends; returns true if the producer must pause reading (the queue is full).
    func push(_ event: WorkerEvent) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        events.append(event)
        condition.signal()
        if events.count - head >= Self.maxEvents, !readingPaused {
            readingPaused = true
            return true
        }
        return false
    }

    /// An event the worker must see before anything queued.
    func pushUrgent(_ event: WorkerEvent) {
        condition.lock()
        defer { condition.unlock() }
        urgent = event
        condition.signal()
    }

    /// Whether any event waits to be popped.
    var hasPendingEvents: Bool {
        condition.lock()
        defer { condition.unlock() }
        return urgent != nil || head < events.count
    }

    /// Whether an urgent event waits (the worker then skips ReadyForQuery: the session is ending).
    var hasUrgentEvent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return urgent != nil
    }

    /// Ends a wakeable pop in progress (or the next one) early, from any thread.
    func wake() {
        condition.lock()
        defer { condition.unlock() }
        woken = true
        condition.signal()
    }

    /// Waits for the next event, at most until `deadline` (nil = forever). Returns the event (nil on
    /// timeout, or on wake() when `wakeable`) and whether the caller must resume reading the socket.
    func pop(deadline: Date?, wakeable: Bool = false) -> (event: WorkerEvent?, resumeReading: Bool) {
        condition.lock()
        defer { condition.unlock() }
        while urgent == nil && head == events.count {
            if wakeable && woken {
                woken = false
                return (nil, false)
            }
            if let deadline {
                if !condition.wait(until: deadline) { return (nil, false) }
            } else {
                condition.wait()
            }
        }
        if let event = urgent {
            urgent = nil
            return (event, false)
        }
        let event = events[head]
        head += 1
        if head == events.count {
            events.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.maxEvents {
            events.removeFirst(head)
            head = 0
        }
        var resume = false
        if readingPaused, events.count - head <= Self.maxEvents / 2 {
            readingPaused = false
            resume = true
        }
        return (event, resume)
    }
}
