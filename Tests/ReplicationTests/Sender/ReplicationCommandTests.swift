// The replication command parser against the exact texts pg_receivewal 15 and pg_basebackup 15 send
// (clients.md §3), and its refusals.
import PGWire
import Testing
import WAL
@testable import Replication

@Suite struct ReplicationCommandTests {
    @Test func commandsAsTheRealClientsSendThem() throws {
        #expect(try ReplicationCommand.parse("IDENTIFY_SYSTEM") == .identifySystem)
        #expect(try ReplicationCommand.parse("identify_system;") == .identifySystem)
        #expect(try ReplicationCommand.parse("SHOW data_directory_mode") == .show("data_directory_mode"))
        #expect(try ReplicationCommand.parse("TIMELINE_HISTORY 2") == .timelineHistory(TimelineID(2)))
        #expect(try ReplicationCommand.parse("START_REPLICATION 0/6000000 TIMELINE 1")
                == .startReplication(slot: nil, start: LSN(0x600_0000), timeline: TimelineID(1)))
        #expect(try ReplicationCommand.parse("START_REPLICATION SLOT \"capslot\" 0/7000000 TIMELINE 1")
                == .startReplication(slot: "capslot", start: LSN(0x700_0000), timeline: TimelineID(1)))
        #expect(try ReplicationCommand.parse("START_REPLICATION SLOT s PHYSICAL 1/A0")
                == .startReplication(slot: "s", start: LSN(0x1_0000_00A0), timeline: nil))
        #expect(try ReplicationCommand.parse("CREATE_REPLICATION_SLOT \"capslot\" PHYSICAL")
                == .createSlot(name: "capslot", temporary: false, reserveWAL: false))
        #expect(try ReplicationCommand.parse("CREATE_REPLICATION_SLOT \"pg_basebackup_26659\" TEMPORARY PHYSICAL ( RESERVE_WAL)")
                == .createSlot(name: "pg_basebackup_26659", temporary: true, reserveWAL: true))
        #expect(try ReplicationCommand.parse("CREATE_REPLICATION_SLOT s PHYSICAL RESERVE_WAL")
                == .createSlot(name: "s", temporary: false, reserveWAL: true))
        #expect(try ReplicationCommand.parse("DROP_REPLICATION_SLOT \"capslot\" WAIT") == .dropSlot(name: "capslot", wait: true))
        #expect(try ReplicationCommand.parse("READ_REPLICATION_SLOT capslot2") == .readSlot(name: "capslot2"))
    }

    @Test func namesFoldToLowerCaseUnlessQuoted() throws {
        #expect(try ReplicationCommand.parse("READ_REPLICATION_SLOT MySlot") == .readSlot(name: "myslot"))
        #expect(try ReplicationCommand.parse("READ_REPLICATION_SLOT \"My\"\"Slot\"") == .readSlot(name: "My\"Slot"))
    }

    @Test func baseBackupOptionsOfPgBasebackup15() throws {
        let command = try ReplicationCommand.parse(
            "BASE_BACKUP ( LABEL 'pg_basebackup base backup',  PROGRESS,  CHECKPOINT 'fast',  WAIT 0,  MANIFEST 'yes',  TARGET 'client')")
        var expected = BaseBackupOptions()
        expected.label = "pg_basebackup base backup"
        expected.progress = true
        expected.fastCheckpoint = true
        expected.waitForArchive = false
        expected.manifest = true
        #expect(command == .baseBackup(expected))
        #expect(try ReplicationCommand.parse("BASE_BACKUP") == .baseBackup(BaseBackupOptions()))
    }

    @Test func sqlIsNotAReplicationCommand() throws {
        #expect(try ReplicationCommand.parse("select 1") == nil)
        #expect(try ReplicationCommand.parse("") == nil)
    }

    @Test func malformedCommandsAreSyntaxErrors() {
        for text in ["START_REPLICATION", "START_REPLICATION 0/X", "TIMELINE_HISTORY 0", "IDENTIFY_SYSTEM extra",
                     "CREATE_REPLICATION_SLOT s", "BASE_BACKUP ( LABEL 'x'", "SHOW"] {
            #expect(throws: PGError.self, "\(text)") { try ReplicationCommand.parse(text) }
        }
        #expect(throws: PGError(sqlState: "42601", message: "unrecognized base backup option \"bogus\"")) {
            try ReplicationCommand.parse("BASE_BACKUP (BOGUS)")
        }
        #expect(throws: PGError(sqlState: "42601", message: "unterminated quoted string")) {
            try ReplicationCommand.parse("BASE_BACKUP (LABEL 'x)")
        }
    }
}
