// Tests of the transaction-block state machine alone: statuses, actions and PostgreSQL's
// warnings/refusals for every event in every state.
import Testing
@testable import SQLMini

@Suite struct SessionTransactionBlockTests {
    @Test func implicitTransactionStartsAndCommitsAtEndOfQuery() {
        var block = TransactionBlock()
        #expect(block.beforeStatement().transaction == .start)
        #expect(block.status == .idle)
        #expect(block.beforeStatement().transaction == .none)
        #expect(block.endOfImplicitScope().transaction == .commit)
        #expect(block.state == .idle)
    }

    @Test func beginCommitMovesThroughInTransaction() {
        var block = TransactionBlock()
        let begin = block.begin()
        #expect(begin.transaction == .start)
        #expect(begin.tag == "BEGIN")
        #expect(block.status == .inTransaction)
        #expect(block.beforeStatement().transaction == .none)
        #expect(block.endOfImplicitScope().transaction == .none)   // Sync inside a block keeps it open
        let commit = block.commit()
        #expect(commit.transaction == .commit)
        #expect(commit.tag == "COMMIT")
        #expect(block.status == .idle)
    }

    @Test func beginInsideImplicitTransactionAdoptsIt() {
        var block = TransactionBlock()
        _ = block.beforeStatement()
        let begin = block.begin()
        #expect(begin.transaction == .none)
        #expect(block.status == .inTransaction)
    }

    @Test func nestedBeginWarns() {
        var block = TransactionBlock()
        _ = block.begin()
        let again = block.begin()
        #expect(again.warning?.sqlState == "25001")
        #expect(again.warning?.message == "there is already a transaction in progress")
        #expect(again.warning?.severity == .warning)
        #expect(block.status == .inTransaction)
    }

    @Test func commitAndRollbackWhenIdleWarn() {
        var block = TransactionBlock()
        let commit = block.commit()
        #expect(commit.warning?.message == "there is no transaction in progress")
        #expect(commit.transaction == .none)
        let rollback = block.rollback()
        #expect(rollback.warning?.message == "there is no transaction in progress")
        #expect(rollback.tag == "ROLLBACK")
    }

    @Test func errorInBlockFailsItUntilRollback() {
        var block = TransactionBlock()
        _ = block.begin()
        #expect(block.statementFailed(inSavepoint: false).transaction == .abort)
        #expect(block.status == .failed)
        let refused = block.beforeStatement()
        #expect(refused.refusal?.sqlState == "25P02")
        #expect(refused.refusal?.message
                == "current transaction is aborted, commands ignored until end of transaction block")
        #expect(block.begin().refusal != nil)
        #expect(block.endOfImplicitScope().transaction == .none)
        #expect(block.status == .failed)
        let rollback = block.rollback()
        #expect(rollback.transaction == .none)      // already aborted at the error
        #expect(block.status == .idle)
    }

    @Test func commitInFailedBlockAnswersRollback() {
        var block = TransactionBlock()
        _ = block.begin()
        _ = block.statementFailed(inSavepoint: false)
        let commit = block.commit()
        #expect(commit.tag == "ROLLBACK")
        #expect(commit.transaction == .none)
        #expect(block.status == .idle)
    }

    @Test func errorInImplicitTransactionRollsItBack() {
        var block = TransactionBlock()
        _ = block.beforeStatement()
        #expect(block.statementFailed(inSavepoint: false).transaction == .abort)
        #expect(block.status == .idle)
        #expect(block.endOfImplicitScope().transaction == .none)
    }

    @Test func terminateAbortsOpenTransaction() {
        var block = TransactionBlock()
        _ = block.begin()
        #expect(block.terminate().transaction == .abort)
        var idle = TransactionBlock()
        #expect(idle.terminate().transaction == .none)
    }

    @Test func errorInsideSavepointFailsOnlyTheSubtransaction() {
        var block = TransactionBlock()
        _ = block.begin()
        #expect(block.statementFailed(inSavepoint: true).transaction == .abortSubtransaction)
        #expect(block.status == .failed)
        #expect(block.beforeStatement().refusal?.sqlState == "25P02")
        #expect(block.statementFailed(inSavepoint: true).transaction == .none)   // already aborted
        block.rolledBackToSavepoint()
        #expect(block.status == .inTransaction)
        #expect(block.beforeStatement().refusal == nil)
        // COMMIT of a block failed inside a savepoint rolls the whole transaction back.
        _ = block.statementFailed(inSavepoint: true)
        let commit = block.commit()
        #expect(commit.transaction == .abort)
        #expect(commit.tag == "ROLLBACK")
        #expect(block.status == .idle)
    }
}
