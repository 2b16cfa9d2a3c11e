// Logger labels of the Replication module.
import Testing
@testable import Replication

@Suite struct ReplicationLogTests {
    @Test func labelNamesTheRole() {
        #expect(ReplicationLog.label("walsender") == "minipg.replication.walsender")
    }
}
