// Rewind's pure parts: the decision against the source's timeline history, the
// rewind_in_progress marker (round trip, checksum), and how the source's archive is placed into
// the target — only changed pages of a relation file, pg_control captured, configuration kept —
// through the real tar extractor fed a real tar archive one byte at a time.
import Foundation
import Storage
import Testing
import WAL
@testable import Replication

@Suite struct RewindDecisionTests {
    let history = TimelineHistory(timeline: TimelineID(2), entries: [
        .init(parent: .first, switchPoint: LSN(0x300_0158), reason: TimelineHistory.promotionReason),
    ])

    @Test func aTargetThatWrotePastTheForkNeedsARewindFromThere() {
        #expect(RewindDecision.decide(targetTimeline: .first, targetEndOfWAL: LSN(0x300_01D0), sourceTimeline: TimelineID(2),
                                      sourceHistory: history) == .needed(fork: LSN(0x300_0158)))
    }

    @Test func aTargetThatStoppedAtTheForkNeedsNone() {
        let decision = RewindDecision.decide(targetTimeline: .first, targetEndOfWAL: LSN(0x300_0158),
                                             sourceTimeline: TimelineID(2), sourceHistory: history)
        guard case .notNeeded(let reason) = decision else { Issue.record("\(decision)"); return }
        #expect(reason.contains("not past the fork point 0/3000158"))
    }

    @Test func theSameTimelineNeedsNone() {
        #expect(RewindDecision.decide(targetTimeline: TimelineID(2), targetEndOfWAL: LSN(0x900_0000), sourceTimeline: TimelineID(2),
                                      sourceHistory: history) == .notNeeded(reason: "source and target cluster are on the same timeline"))
    }

    @Test func aTimelineNotInTheSourceHistoryIsImpossible() {
        let decision = RewindDecision.decide(targetTimeline: TimelineID(3), targetEndOfWAL: LSN(0x900_0000),
                                             sourceTimeline: TimelineID(2), sourceHistory: history)
        guard case .impossible(let reason) = decision else { Issue.record("\(decision)"); return }
        #expect(reason.hasPrefix("could not find common ancestor of the source and target cluster's timelines"))
    }
}

@Suite struct RewindMarkerTests {
    let plan = RewindPlan(systemIdentifier: 7_441_234_567_890_123_456, targetTimeline: .first, fork: LSN(0x300_0158),
                          lastCommonCheckpoint: LSN(0x200_0060), redo: LSN(0x200_0028))

    @Test func roundTripsAndReadsAsText() throws {
        let text = RewindMarker.encode(plan)
        #expect(text.hasPrefix("minipg rewind in progress\nsystem identifier: 7441234567890123456\ntarget timeline: 1\nfork point: 0/3000158\n"))
        #expect(try RewindMarker.decode(text) == plan)
    }

    @Test func aChangedByteIsAnError() {
        let text = RewindMarker.encode(plan).replacingOccurrences(of: "fork point: 0/3000158", with: "fork point: 0/3000150")
        #expect(throws: ReplicationClientError("invalid rewind_in_progress file: incorrect checksum")) {
            try RewindMarker.decode(text)
        }
    }

    @Test func isWrittenReadAndRemovedOnDisk() throws {
        let directory = "/tmp/rewind-marker-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try RewindMarker.read(directory) == nil)
        try RewindMarker.write(plan, dataDirectory: directory)
        #expect(RewindMarker.exists(in: directory))
        #expect(try RewindMarker.read(directory) == plan)
        try RewindMarker.remove(dataDirectory: directory)
        #expect(!RewindMarker.exists(in: directory))
    }
}

@Suite struct RewindPlacementTests {
    let directory = "/tmp/rewind-placement-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)

    /// A relation file of `pages` pages, page n filled with the letter `letters[n]`.
    func relationFile(_ letters: String) -> String {
        letters.map { String(repeating: String($0), count: pageSize) }.joined()
    }

    @Test func onlyChangedAndNewPagesOfARelationAreWrittenAndTheLengthIsTheSources() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/base/1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/global", withIntermediateDirectories: true)
        // Target: 16384 has pages t,t,t (the target changed page 1 after the fork); 16385 has 3
        // pages but the source truncated it to 1; its configuration is its own.
        try Data(relationFile("ttt").utf8).write(to: URL(fileURLWithPath: directory + "/base/1/16384"))
        try Data(relationFile("uuu").utf8).write(to: URL(fileURLWithPath: directory + "/base/1/16385"))
        try Data("port = 5433\n".utf8).write(to: URL(fileURLWithPath: directory + "/postgresql.conf"))
        var changes = ChangedBlocks()
        var footprint = RecordFootprint()
        footprint.pages = [.init(relation: RelationID(16384), page: PageNumber(1))]
        changes.add(footprint)

        let bytes = try tarArchive([
            "base/1/16384": relationFile("ssss"), "base/1/16385": relationFile("s"), "base/1/16386": relationFile("n"),
            "global/pg_control": "control", "postgresql.conf": "port = 5432\n", "PG_VERSION": "15\n",
        ], directories: ["base", "base/1", "global"], scratch: directory + "-archive")
        let target = directory
        let extractor = TarExtractor(directory: directory) { name in
            changes.placement(for: name, copyAllRelations: false) { name in
                (try? FileManager.default.attributesOfItem(atPath: target + "/" + name)[.size] as? Int).flatMap { $0 }.map { $0 / pageSize }
            }
        }
        for byte in bytes { try extractor.consume([byte]) }
        try extractor.finish()

        #expect(try String(contentsOfFile: directory + "/base/1/16384", encoding: .utf8) == relationFile("tsts"))
        #expect(try String(contentsOfFile: directory + "/base/1/16385", encoding: .utf8) == relationFile("u"))
        #expect(try String(contentsOfFile: directory + "/base/1/16386", encoding: .utf8) == relationFile("n"))
        #expect(try String(contentsOfFile: directory + "/postgresql.conf", encoding: .utf8) == "port = 5433\n")
        #expect(try String(contentsOfFile: directory + "/PG_VERSION", encoding: .utf8) == "15\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/global/pg_control"))
        #expect(extractor.captured["global/pg_control"] == Array("control".utf8))
        #expect(extractor.fileNames.contains("base/1/16386") && extractor.fileNames.contains("postgresql.conf"))
    }

    @Test func afterAnInterruptedRunEveryRelationFileIsCopiedWhole() {
        let placement = ChangedBlocks().placement(for: "base/1/16384", copyAllRelations: true) { _ in 3 }
        guard case .whole = placement else { Issue.record("\(placement)"); return }
    }
}
