// Writes a line to standard error (diagnostics never go to standard output).

import Foundation

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
