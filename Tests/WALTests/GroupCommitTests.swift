// GroupCommitTests: concurrent inserters and flushers; fsync on, so fdatasync is really called.

import Foundation
import Testing
@testable import WAL

@Suite("Group commit")
struct GroupCommitTests {
    @Test func concurrentCommittersAllSurviveInOrder() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory, configuration: TestWAL.configuration(fsync: true))
        let threads = 8
        let commitsPerThread = 40
        let results = ResultBox(threads: threads)
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    for commit in 0..<commitsPerThread {
                        let payload = TestWAL.payload(thread * 1000 + commit, length: 16 + thread)
                        let (start, end) = try writer.insert(TestWAL.heap, info: UInt8(thread), xid: TransactionID(UInt32(3 + thread)),
                                                             payload: payload)
                        try writer.flush(upTo: end)
                        let flushed = writer.flushedLSN
                        results.record(thread: thread, start: start, payload: payload, flushedEnough: flushed >= end)
                    }
                } catch {
                    results.fail("\(error)")
                }
            }.start()
        }
        done.wait()
        #expect(results.failures.isEmpty)
        let syncs = writer.statistics.syncs
        try writer.close()

        let (records, _) = try TestWAL.readAll(directory)
        #expect(records.count == threads * commitsPerThread)
        let byLSN = Dictionary(uniqueKeysWithValues: records.map { ($0.lsn, $0) })
        for thread in 0..<threads {
            let mine = results.commits[thread]
            #expect(mine.count == commitsPerThread)
            #expect(mine.allSatisfy { $0.flushedEnough })
            // Each thread's records appear in the WAL in the order it inserted them.
            #expect(mine.map(\.start) == mine.map(\.start).sorted())
            for commit in mine {
                #expect(byLSN[commit.start]?.payload == commit.payload)
                #expect(byLSN[commit.start]?.info == UInt8(thread))
            }
        }
        // Never more than one fdatasync per commit; usually far fewer when commits overlap.
        #expect(syncs >= 1 && syncs <= threads * commitsPerThread)
    }

    @Test func waitForFlushWakesWhenTheFlushPassesAndTimesOut() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        let start = writer.flushedLSN
        // Nothing flushes: the wait ends at its timeout with the old position.
        #expect(writer.waitForFlush(beyond: start, timeout: .milliseconds(20)) == start)

        let (_, end) = try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [1, 2, 3])
        let seen = LSNBox()
        let done = DispatchGroup()
        done.enter()
        Thread {
            seen.set(writer.waitForFlush(beyond: start, timeout: .seconds(30)))
            done.leave()
        }.start()
        try writer.flush(upTo: end)
        done.wait()
        #expect(seen.get() == end)
        try writer.close()
    }
}

/// What each committer thread saw, collected under a lock.
final class ResultBox: @unchecked Sendable {
    struct Commit { var start: LSN; var payload: [UInt8]; var flushedEnough: Bool }
    private let lock = NSLock()
    private(set) var commits: [[Commit]]
    private(set) var failures: [String] = []

    init(threads: Int) {
        commits = Array(repeating: [], count: threads)
    }

    func record(thread: Int, start: LSN, payload: [UInt8], flushedEnough: Bool) {
        lock.withLock { commits[thread].append(Commit(start: start, payload: payload, flushedEnough: flushedEnough)) }
    }

    func fail(_ message: String) {
        lock.withLock { failures.append(message) }
    }
}

final class LSNBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = LSN.invalid
    func set(_ lsn: LSN) { lock.withLock { value = lsn } }
    func get() -> LSN { lock.withLock { value } }
}
