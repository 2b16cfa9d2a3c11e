// `ctl edit-config` without -s/-p/--apply: the configuration goes into a temporary YAML file, $EDITOR
// (else `editor`, else vi) runs on it with the terminal, and the file's text is read back. A non-zero exit
// of the editor abandons the edit.
import Foundation

public enum ExternalEditor {
    public static func edit(_ text: String, clusterName: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let directory = FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("\(clusterName)-config-\(UUID().uuidString.prefix(8)).yaml")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let editor = environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultEditor()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // through the shell, so EDITOR="code --wait" or "vim -n" work as they do for git
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CtlError("Editor exited with return code \(process.terminationStatus)")
        }
        return try String(contentsOf: file, encoding: .utf8)
    }

    static func defaultEditor() -> String {
        for candidate in ["/usr/bin/editor", "/usr/bin/vi", "/bin/vi"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "vi"
    }
}
