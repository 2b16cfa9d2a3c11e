// Session+Backends: which backend process runs a transaction — this session for its own, else
// the one whose pg_stat_activity row shows it as backend_xid. A deadlock's DETAIL names the
// processes this way, as PostgreSQL's does.
//
// Invariant: answers only from what sessions have published; a transaction whose first write
// happened in a statement still running elsewhere may be unknown (nil).

import WAL

extension Session {
    func backendProcess(of xid: TransactionID) -> Int32? {
        // A subtransaction's rows and locks are its top-level transaction's, shown as backend_xid.
        let top = database.storage.transactions.topLevelTransaction(of: xid)
        if let own = transaction, own.topLevelXid == top { return processID }
        return database.registry.activities.first { $0.backendXID == top.value }?.processID
    }
}
