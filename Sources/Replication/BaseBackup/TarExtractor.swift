// TarExtractor: unpacks the tar stream of BASE_BACKUP into a directory as it arrives, in pieces of
// any size (CopyData boundaries mean nothing to tar). The format PostgreSQL's basebackup writes
// (ustar, 512-byte blocks):
//
//   header block (512 bytes)                             then the file's bytes, padded to 512
//   ┌────────────┬──────┬─────┬─────┬──────────┬───────┬─────────┬──────┬───┬────────┬─────────────┐
//   │ name 100   │mode 8│uid 8│gid 8│ size 12  │mtime12│chksum 8 │type 1│...│magic 6 │ prefix 155  │
//   │ 0          │100   │108  │116  │124 octal │136    │148      │156   │   │257     │345          │
//   └────────────┴──────┴─────┴─────┴──────────┴───────┴─────────┴──────┴───┴────────┴─────────────┘
//   type '0' or NUL: file, '5': directory, '2': symbolic link (name of target at 157), 'x'/'g': pax
//   extended header (skipped), 'L': GNU long name (the next entry's name is the data).
//   Two zero blocks end the archive.
//
// Every header's checksum (the byte sum of the header with the checksum field read as spaces) is
// verified; a mismatch is an error naming the entry. Names that leave the directory ("..",
// absolute) are refused. Each file is fsynced when complete, so the clone is durable when the
// backup reports success.
//
// A placement decides, per regular file, what reaches the disk (TarPlacement): basebackup writes
// every file whole; rewind writes only the blocks the target changed, skips files it keeps, and
// captures pg_control to install it last.

import Glibc

/// What the extractor does with one regular file of the archive.
public enum TarPlacement {
    /// Written whole, replacing a file of that name.
    case whole
    /// Not written: its data is read past.
    case skip
    /// Kept in memory, in `captured[name]`, for the caller to install itself.
    case capture
    /// Only the `blockSize` blocks for which `wanted(blockNumber)` holds are written into the
    /// existing file, which is then cut or extended to the archived size.
    case blocks(blockSize: Int, wanted: (Int) -> Bool)
}

public struct TarExtractorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public final class TarExtractor {
    static let blockSize = 512

    private let directory: String
    private let placement: (String) -> TarPlacement
    private var header: [UInt8] = []
    /// The file being written: its descriptor, path, and bytes still to come (then padding).
    private var file: (descriptor: Int32, path: String)?
    /// How the current entry's data is placed, and how far into the file it has come.
    private var currentPlacement = TarPlacement.whole
    private var currentName = ""
    private var currentSize = 0
    private var fileOffset = 0
    private var remainingData = 0
    private var remainingPadding = 0
    /// A GNU 'L' entry's data: the name of the next entry.
    private var longName: [UInt8]?
    private var collectingLongName = false
    private var zeroBlocks = 0
    /// Bytes of file data written so far (for progress).
    public private(set) var extractedBytes: Int64 = 0
    /// The archive's end-of-archive marker was seen.
    public var isFinished: Bool { zeroBlocks >= 2 }
    /// The data of files placed `.capture`, by archive name.
    public private(set) var captured: [String: [UInt8]] = [:]
    /// Bytes of file data that reached the disk (less than extractedBytes when placements skip).
    public private(set) var writtenBytes: Int64 = 0
    /// Every regular file name the archive held, whatever its placement.
    public private(set) var fileNames: Set<String> = []

    public init(directory: String, placement: @escaping (String) -> TarPlacement = { _ in .whole }) {
        self.directory = directory
        self.placement = placement
    }

    deinit {
        if let file { _ = close(file.descriptor) }
    }

    /// Consumes the next piece of the stream.
    public func consume(_ bytes: [UInt8]) throws(TarExtractorError) {
        var index = 0
        while index < bytes.count {
            if remainingData > 0 {
                let count = min(remainingData, bytes.count - index)
                try writeData(bytes[index..<(index + count)])
                index += count
                remainingData -= count
                if remainingData == 0 { try finishEntry() }
            } else if remainingPadding > 0 {
                let count = min(remainingPadding, bytes.count - index)
                index += count
                remainingPadding -= count
            } else {
                let count = min(Self.blockSize - header.count, bytes.count - index)
                header.append(contentsOf: bytes[index..<(index + count)])
                index += count
                if header.count == Self.blockSize {
                    try startEntry(header)
                    header.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Checks that the archive ended properly.
    public func finish() throws(TarExtractorError) {
        guard file == nil, remainingData == 0, header.isEmpty else {
            throw TarExtractorError("COPY stream ended before last file was finished")
        }
    }

    private func startEntry(_ block: [UInt8]) throws(TarExtractorError) {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            return
        }
        guard zeroBlocks == 0 else { throw TarExtractorError("tar data after the end-of-archive marker") }
        var name = Self.string(block[0..<100])
        let prefix = Self.string(block[345..<500])
        if Self.string(block[257..<262]) == "ustar", !prefix.isEmpty { name = prefix + "/" + name }
        if let longName { name = Self.string(longName[...]) }
        longName = nil
        guard let size = Self.octal(block[124..<136]), let mode = Self.octal(block[100..<108]),
              let storedChecksum = Self.octal(block[148..<156]) else {
            throw TarExtractorError("invalid tar block header for \"\(name)\"")
        }
        let checksum = block.enumerated().reduce(0) { sum, item in
            sum + ((148..<156).contains(item.offset) ? 32 : Int(item.element))
        }
        guard checksum == storedChecksum else {
            throw TarExtractorError("tar header checksum mismatch for \"\(name)\": stored \(storedChecksum), computed \(checksum)")
        }
        remainingData = size
        remainingPadding = (Self.blockSize - size % Self.blockSize) % Self.blockSize
        switch block[156] {
        case UInt8(ascii: "0"), 0:
            let path = try target(name)
            fileNames.insert(name)
            currentPlacement = placement(name)
            currentName = name
            currentSize = size
            fileOffset = 0
            switch currentPlacement {
            case .whole, .blocks:
                let truncate: Int32 = if case .whole = currentPlacement { O_TRUNC } else { 0 }
                let descriptor = open(path, O_WRONLY | O_CREAT | truncate | O_CLOEXEC, mode_t(mode & 0o7777))
                guard descriptor >= 0 else { throw systemError("could not create file", path) }
                file = (descriptor, path)
            case .capture:
                captured[name] = []
            case .skip:
                break
            }
            if size == 0 { try finishEntry() }
        case UInt8(ascii: "5"):
            let path = try target(name)
            if mkdir(path, mode_t(mode & 0o7777)) != 0 && errno != EEXIST {
                throw systemError("could not create directory", path)
            }
        case UInt8(ascii: "2"):
            let path = try target(name)
            let linkTarget = Self.string(block[157..<257])
            if symlink(linkTarget, path) != 0 { throw systemError("could not create symbolic link", path) }
        case UInt8(ascii: "L"):
            collectingLongName = true
            longName = []
            if size == 0 { collectingLongName = false }
        case UInt8(ascii: "x"), UInt8(ascii: "g"):
            break   // pax headers: their data is skipped as data of no file
        default:
            throw TarExtractorError("unrecognized link indicator \"\(Character(Unicode.Scalar(block[156])))\" for \"\(name)\"")
        }
    }

    private func writeData(_ bytes: ArraySlice<UInt8>) throws(TarExtractorError) {
        if collectingLongName {
            longName?.append(contentsOf: bytes)
            return
        }
        defer {
            fileOffset += bytes.count
            extractedBytes += Int64(bytes.count)
        }
        switch currentPlacement {
        case .skip:
            return
        case .capture:
            captured[currentName, default: []].append(contentsOf: bytes)
        case .whole:
            try writeAll(bytes, at: fileOffset)
        case .blocks(let blockSize, let wanted):
            // Split at block boundaries; write the pieces of wanted blocks where they belong.
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let offset = fileOffset + (index - bytes.startIndex)
                let pieceEnd = min(bytes.endIndex, index + (blockSize - offset % blockSize))
                if wanted(offset / blockSize) { try writeAll(bytes[index..<pieceEnd], at: offset) }
                index = pieceEnd
            }
        }
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(TarExtractorError) {
        guard let file else { return }
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                pwrite(file.descriptor, UnsafeRawBufferPointer(rebasing: raw[done...]).baseAddress, raw.count - done,
                       off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw systemError("could not write to file", file.path) }
            done += result
        }
        writtenBytes += Int64(bytes.count)
    }

    private func finishEntry() throws(TarExtractorError) {
        collectingLongName = false
        guard let current = file else { return }
        file = nil
        if case .blocks = currentPlacement, ftruncate(current.descriptor, off_t(currentSize)) != 0 {
            let error = systemError("could not truncate file", current.path)
            _ = close(current.descriptor)
            throw error
        }
        guard fsync(current.descriptor) == 0 else {
            let error = systemError("could not fsync file", current.path)
            _ = close(current.descriptor)
            throw error
        }
        guard close(current.descriptor) == 0 else { throw systemError("could not close file", current.path) }
    }

    /// The path under the target directory; refuses names that would leave it.
    private func target(_ name: String) throws(TarExtractorError) -> String {
        let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
        let components = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"), !components.contains(".."), !components.contains("") else {
            throw TarExtractorError("invalid file name \"\(name)\" in tar archive")
        }
        return directory + "/" + trimmed
    }

    private func systemError(_ what: String, _ path: String) -> TarExtractorError {
        TarExtractorError("\(what) \"\(path)\": \(String(cString: strerror(errno)))")
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// An octal number field (NUL- or space-terminated, maybe space-padded).
    private static func octal(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var sawDigit = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                value = value * 8 + Int(byte - UInt8(ascii: "0"))
                sawDigit = true
            case UInt8(ascii: " ") where !sawDigit:
                continue
            case 0, UInt8(ascii: " "):
                return sawDigit ? value : 0
            default:
                return nil
            }
        }
        return sawDigit ? value : 0
    }
}
