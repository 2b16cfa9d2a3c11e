// The pg_catalog relations minipg has nothing to put in yet — inheritance, partitioning, triggers,
// rules, row security policies, extended statistics, publications, comments, extensions, foreign
// tables — with PostgreSQL 15's columns, so that the queries psql and pgbench send (which join
// them) run and return what a server without those features returns: no rows.

extension SystemTable {
    static let pgInherits = SystemTable("pg_inherits", oid: 2611, columns: [
        ("inhrelid", .oidType), ("inhparent", .oidType), ("inhseqno", .int4), ("inhdetachpending", .bool),
    ])

    static let pgPartitionedTable = SystemTable("pg_partitioned_table", oid: 3350, columns: [
        ("partrelid", .oidType), ("partstrat", .char), ("partnatts", .int2), ("partdefid", .oidType),
        ("partattrs", .int2vector), ("partclass", .oidvector), ("partcollation", .oidvector),
        ("partexprs", .pgNodeTree),
    ])

    static let pgTrigger = SystemTable("pg_trigger", oid: 2620, columns: [
        ("oid", .oidType), ("tgrelid", .oidType), ("tgparentid", .oidType), ("tgname", .name),
        ("tgfoid", .oidType), ("tgtype", .int2), ("tgenabled", .char), ("tgisinternal", .bool),
        ("tgconstrrelid", .oidType), ("tgconstrindid", .oidType), ("tgconstraint", .oidType),
        ("tgdeferrable", .bool), ("tginitdeferred", .bool), ("tgnargs", .int2), ("tgattr", .int2vector),
        ("tgargs", .bytea), ("tgqual", .pgNodeTree), ("tgoldtable", .name), ("tgnewtable", .name),
    ])

    static let pgRewrite = SystemTable("pg_rewrite", oid: 2618, columns: [
        ("oid", .oidType), ("rulename", .name), ("ev_class", .oidType), ("ev_type", .char),
        ("ev_enabled", .char), ("is_instead", .bool), ("ev_qual", .pgNodeTree), ("ev_action", .pgNodeTree),
    ])

    static let pgPolicy = SystemTable("pg_policy", oid: 3256, columns: [
        ("oid", .oidType), ("polname", .name), ("polrelid", .oidType), ("polcmd", .char),
        ("polpermissive", .bool), ("polroles", .oidArray), ("polqual", .pgNodeTree), ("polwithcheck", .pgNodeTree),
    ])

    static let pgStatisticExt = SystemTable("pg_statistic_ext", oid: 3381, columns: [
        ("oid", .oidType), ("stxrelid", .oidType), ("stxname", .name), ("stxnamespace", .oidType),
        ("stxowner", .oidType), ("stxstattarget", .int4), ("stxkeys", .int2vector), ("stxkind", .charArray),
        ("stxexprs", .pgNodeTree),
    ])

    static let pgPublication = SystemTable("pg_publication", oid: 6104, columns: [
        ("oid", .oidType), ("pubname", .name), ("pubowner", .oidType), ("puballtables", .bool),
        ("pubinsert", .bool), ("pubupdate", .bool), ("pubdelete", .bool), ("pubtruncate", .bool),
        ("pubviaroot", .bool),
    ])

    static let pgPublicationNamespace = SystemTable("pg_publication_namespace", oid: 6237, columns: [
        ("oid", .oidType), ("pnpubid", .oidType), ("pnnspid", .oidType),
    ])

    static let pgPublicationRel = SystemTable("pg_publication_rel", oid: 6106, columns: [
        ("oid", .oidType), ("prpubid", .oidType), ("prrelid", .oidType), ("prqual", .pgNodeTree),
        ("prattrs", .int2vector),
    ])

    static let pgDescription = SystemTable("pg_description", oid: 2609, columns: [
        ("objoid", .oidType), ("classoid", .oidType), ("objsubid", .int4), ("description", .text),
    ])

    static let pgExtension = SystemTable("pg_extension", oid: 3079, columns: [
        ("oid", .oidType), ("extname", .name), ("extowner", .oidType), ("extnamespace", .oidType),
        ("extrelocatable", .bool), ("extversion", .text), ("extconfig", .oidArray), ("extcondition", .textArray),
    ])

    static let pgForeignTable = SystemTable("pg_foreign_table", oid: 3118, columns: [
        ("ftrelid", .oidType), ("ftserver", .oidType), ("ftoptions", .textArray),
    ])
}
