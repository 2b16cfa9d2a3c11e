// `ctl edit-config`: change /config with patronictl's dialogue — the diff, "Apply these changes?",
// "Configuration changed" / "Not changed" — and a compare-and-set write on the revision that was read, so
// two operators editing at once cannot overwrite each other ("Config modification aborted due to
// concurrent changes"). An edit that breaks the timing rules is refused after the diff is shown.
import Foundation

public struct ConfigEditRequest: Sendable, Equatable {
    public var settings: [String] = []          // -s key=value
    public var parameters: [String] = []        // -p name=value
    public var applyDocument: String?           // --apply FILE|- (the file's text)
    public var replaceDocument: String?         // --replace FILE|- (the file's text)
    public var fromStandardInput = false        // --apply - or --replace -: needs --force
    public var force = false
    public var quiet = false

    public init(settings: [String] = [], parameters: [String] = [], applyDocument: String? = nil,
                replaceDocument: String? = nil, fromStandardInput: Bool = false, force: Bool = false,
                quiet: Bool = false) {
        self.settings = settings
        self.parameters = parameters
        self.applyDocument = applyDocument
        self.replaceDocument = replaceDocument
        self.fromStandardInput = fromStandardInput
        self.force = force
        self.quiet = quiet
    }

    var changesGiven: Bool {
        !settings.isEmpty || !parameters.isEmpty || applyDocument != nil || replaceDocument != nil
    }
}

extension CtlSession {
    /// `editor` edits the text it is given and returns the result (it runs $EDITOR on a temporary file);
    /// it is only called when the request gives no changes of its own.
    public func editConfig(_ request: ConfigEditRequest,
                           editor: @Sendable (String) async throws -> String) async throws {
        let view = try await load()
        guard let current = view.config?.document else {
            throw CtlError("The config key does not exist in the cluster \(scope)")
        }
        let before = ConfigEdit.editableText(current)
        var changed = current
        var after: String?
        do {
            if let replacement = request.replaceDocument {
                changed = try ConfigEdit.parseDocument(replacement)
            }
            if let patch = request.applyDocument {
                changed = try ConfigEdit.applying(yaml: patch, to: changed)
            }
            if request.replaceDocument != nil || request.applyDocument != nil {
                after = ConfigEdit.editableText(changed)
            }
            let pairs = request.settings + ConfigEdit.settings(fromParameters: request.parameters)
            if !pairs.isEmpty {
                changed = try ConfigEdit.applying(settings: pairs, to: changed)
                after = ConfigEdit.editableText(changed)
            }
            if !request.changesGiven {
                let edited = try await editor(before)
                changed = try ConfigEdit.parseDocument(edited)
                after = edited
            }
        } catch let error as ConfigEditError {
            throw CtlError(error.description)
        }
        if changed == current {
            if !request.quiet { terminal.print("Not changed") }
            return
        }
        if !request.quiet {
            terminal.print(UnifiedDiff.lines(old: Self.lines(before), new: Self.lines(after ?? "")).joined(separator: "\n"))
        }
        if let problem = DynamicConfig(document: changed).validationError {
            throw CtlError("Configuration not changed: \(problem)")
        }
        if request.fromStandardInput && !request.force {
            terminal.print("Use --force option to apply changes")
            return
        }
        guard try request.force || terminal.confirm("Apply these changes?") else { return }
        switch try await ConfigEdit.write(changed, expectedRevision: view.configRevision, store: store) {
        case .changed: terminal.print("Configuration changed")
        case .concurrentChange: throw CtlError("Config modification aborted due to concurrent changes")
        }
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
