// ChangedBlocks: what the target changed after the fork, by file (pg_rewind's filemap), and how each
// file of the source's archive is therefore placed in the target (TarPlacement):
//
//   base/1/<rel>, changed pages only, file in both   → those pages from the source, plus any pages
//                                                      past the target's end; then the source's length
//   base/1/<rel>, created/truncated/dropped after    → the source's file whole
//   the fork, or missing in the target
//   base/1/<rel>, unchanged                          → kept: replay of the source's WAL from the last
//                                                      common checkpoint brings it up to date
//   global/pg_control                                → captured, installed last (with backup_label)
//   configuration files, backup_label(.old),         → the target's own are kept
//   rewind_in_progress, standby.signal
//   everything else (pg_xact/, PG_VERSION, ...)      → the source's file whole
//
// After an interrupted run (`copyAllRelations`), every relation file is copied whole: a file the
// first run was writing whole may be half there, and nothing in the target tells which.

import Storage

struct ChangedBlocks: Equatable {
    /// Pages changed in place, by relation.
    private(set) var pages: [RelationID: Set<UInt32>] = [:]
    /// Relations whose whole file the source must provide.
    private(set) var wholeRelations: Set<RelationID> = []

    mutating func add(_ footprint: RecordFootprint) {
        for page in footprint.pages { pages[page.relation, default: []].insert(page.page.value) }
        wholeRelations.formUnion(footprint.rewrittenRelations)
        wholeRelations.formUnion(footprint.droppedRelations)
    }

    var changedPageCount: Int {
        pages.filter { !wholeRelations.contains($0.key) }.values.reduce(0) { $0 + $1.count }
    }

    /// Files of the target the rewind leaves as they are, whatever the source has.
    static let keptFiles: Set<String> = [
        "postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf", "backup_label", "backup_label.old",
        "standby.signal", "recovery.signal", "promote", RewindMarker.fileName,
    ]
    static let controlFile = "global/pg_control"
    static let relationDirectory = "base/\(databaseOID)/"

    /// How the source's archive entry `name` is written. `targetPageCount` tells how many pages the
    /// target's copy of a relation file has (nil: no such file).
    func placement(for name: String, copyAllRelations: Bool, targetPageCount: (String) -> Int?) -> TarPlacement {
        if name == Self.controlFile { return .capture }
        if Self.keptFiles.contains(name) { return .skip }
        guard name.hasPrefix(Self.relationDirectory),
              let id = UInt32(name.dropFirst(Self.relationDirectory.count)) else { return .whole }
        let relation = RelationID(id)
        guard !copyAllRelations, !wholeRelations.contains(relation), let existing = targetPageCount(name) else { return .whole }
        // Unchanged pages stay: replay of the source's WAL from the last common checkpoint
        // brings them up to date. Pages past the target's end exist only in the source.
        let changed = pages[relation] ?? []
        return .blocks(blockSize: pageSize, wanted: { $0 >= existing || changed.contains(UInt32($0)) })
    }
}
