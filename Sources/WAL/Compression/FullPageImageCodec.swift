// FullPageImageCodec: compresses full-page images with zstd when wal_compression = zstd.
//
// The first change to a page after a checkpoint logs the whole 8 KiB page, so that redo can
// restore a page torn by a crash. Pages are often half empty, and zstd at level 1 shrinks them
// severalfold in a few microseconds.
//
// zstd contexts are reusable but not thread-safe, and creating one allocates hundreds of KiB.
// So contexts live in a small pool: a caller takes one (or makes one if the pool is empty), uses
// it alone, and puts it back. At most `pooledContextsMaximum` are kept.

import CZstd
import Synchronization

public enum FullPageImageCodec {
    /// zstd level 1: the fastest, and on pages within a few percent of level 3.
    public static let compressionLevel: Int32 = 1
    private static let pooledContextsMaximum = 16

    public static func compress(_ page: UnsafeRawBufferPointer) throws -> [UInt8] {
        let context = compressionPool.take { ZSTD_createCCtx() }
        defer { compressionPool.give(back: context) }
        guard let context = context.pointer else {
            throw WALError(.io, "could not create a zstd compression context: out of memory")
        }
        let capacity = ZSTD_compressBound(page.count)
        var output = [UInt8](repeating: 0, count: capacity)
        let result = output.withUnsafeMutableBytes { destination in
            ZSTD_compressCCtx(context, destination.baseAddress, capacity, page.baseAddress, page.count,
                              compressionLevel)
        }
        if ZSTD_isError(result) != 0 {
            throw WALError(.io, "could not compress a full-page image: \(String(cString: ZSTD_getErrorName(result)))")
        }
        output.removeLast(capacity - result)
        return output
    }

    public static func compress(_ page: [UInt8]) throws -> [UInt8] {
        try page.withUnsafeBytes { try compress($0) }
    }

    /// Decompresses an image that must expand to exactly `pageSize` bytes.
    public static func decompress(_ bytes: [UInt8], pageSize: Int) throws -> [UInt8] {
        let context = decompressionPool.take { ZSTD_createDCtx() }
        defer { decompressionPool.give(back: context) }
        guard let context = context.pointer else {
            throw WALError(.io, "could not create a zstd decompression context: out of memory")
        }
        var page = [UInt8](repeating: 0, count: pageSize)
        let result = page.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                ZSTD_decompressDCtx(context, destination.baseAddress, pageSize, source.baseAddress, source.count)
            }
        }
        if ZSTD_isError(result) != 0 {
            throw WALError(.corrupt, "could not decompress a full-page image: \(String(cString: ZSTD_getErrorName(result)))")
        }
        guard result == pageSize else {
            throw WALError(.corrupt, "full-page image decompressed to \(result) bytes, expected \(pageSize)")
        }
        return page
    }

    private static let compressionPool = ContextPool(destroy: { _ = ZSTD_freeCCtx($0) },
                                                     capacity: pooledContextsMaximum)
    private static let decompressionPool = ContextPool(destroy: { _ = ZSTD_freeDCtx($0) },
                                                       capacity: pooledContextsMaximum)
}

/// A zstd context pointer that may cross threads; the pool guarantees one user at a time.
struct ZstdContext: @unchecked Sendable {
    var pointer: OpaquePointer?
}

/// Free zstd contexts of one kind, guarded by a mutex.
final class ContextPool: Sendable {
    private let free = Mutex<[ZstdContext]>([])
    private let destroy: @Sendable (OpaquePointer) -> Void
    private let capacity: Int

    init(destroy: @escaping @Sendable (OpaquePointer) -> Void, capacity: Int) {
        self.destroy = destroy
        self.capacity = capacity
    }

    func take(orMake make: () -> OpaquePointer?) -> ZstdContext {
        if let pooled = free.withLock({ $0.popLast() }) {
            return pooled
        }
        return ZstdContext(pointer: make())
    }

    func give(back context: ZstdContext) {
        guard let pointer = context.pointer else { return }
        let kept = free.withLock { pool -> Bool in
            guard pool.count < capacity else { return false }
            pool.append(context)
            return true
        }
        if !kept {
            destroy(pointer)
        }
    }
}
