import Foundation
import Numerics

/// A resolved, validated hardware description: every key of `HardwareSchema.keys` with its value
/// and, for numbers, its source.
///
/// Files are JSON. Numbers are written with their source, `{"value": 128, "source": "NeuroSim
/// V1.4 default"}`; choices and flags are plain strings and booleans. A file may name a `base`
/// (a preset name or a path relative to the file) whose keys it overrides; `--set key.path=value`
/// overrides apply last and record the source `--set`. Loading rejects unknown keys, missing
/// keys, wrong types, values out of range and inconsistent combinations, naming the key path.
public struct HardwareDescription: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case number(Double)
        case text(String)
        case flag(Bool)
    }

    public var name: String
    public var summary: String
    public private(set) var values: [String: Value]
    public private(set) var sources: [String: String]
    /// The file it was read from (a preset's path, `builtin:NAME.json`, or the config that holds
    /// it), for messages; not part of equality.
    public var file = ""

    public static func == (a: HardwareDescription, b: HardwareDescription) -> Bool {
        a.name == b.name && a.summary == b.summary && a.values == b.values && a.sources == b.sources
    }

    /// The file when known, else the name: what messages about this hardware name.
    public var origin: String { file.isEmpty ? name : file }

    // MARK: Typed access (paths are schema keys; a wrong path is a programming error)

    public func number(_ path: String) -> Double {
        KeyReads.note(path)
        guard case .number(let x)? = values[path] else { preconditionFailure("\(path) is not a number key") }
        return x
    }

    public func integer(_ path: String) -> Int { Int(number(path)) }

    public func choice(_ path: String) -> String {
        KeyReads.note(path)
        guard case .text(let s)? = values[path] else { preconditionFailure("\(path) is not a choice key") }
        return s
    }

    public func flag(_ path: String) -> Bool {
        KeyReads.note(path)
        guard case .flag(let b)? = values[path] else { preconditionFailure("\(path) is not a flag key") }
        return b
    }

    /// The value of `path` for people: a number with its unit, a choice, or true/false.
    public func formatted(_ path: String) -> String {
        switch values[path]! {
        case .number(let x):
            let unit = HardwareSchema.byPath[path]?.unit ?? ""
            return HardwareKey.format(x) + (unit.isEmpty ? "" : " " + unit)
        case .text(let s): return s
        case .flag(let b): return b ? "true" : "false"
        }
    }

    /// Weight slices per weight: ceil(weightBits / bitsPerCell).
    public var weightSlices: Int {
        let w = integer("crossbar.weightBits"), b = integer("crossbar.bitsPerCell")
        return (w + b - 1) / b
    }

    /// ADC energy per conversion at the configured resolution, scaled from the reference bits.
    public var adcConversionPicojoules: Double {
        number("energy.adcConversionPicojoules")
            * Foundation.pow(number("energy.adcFactorPerBit"), Double(integer("crossbar.adc.bits") - integer("energy.adcReferenceBits")))
    }

    /// ADC time per conversion at the configured resolution b, from `conversionNanoseconds` at the
    /// reference resolution b0 by the converter's law (`crossbar.adc.type`): constant for
    /// parallel comparisons (sense amplifier, flash) and a counter that runs during the read
    /// (cco); x b / b0 for SAR; x (2^b - 1) / (2^b0 - 1) for a ramp.
    public var adcConversionNanoseconds: Double {
        let t = number("crossbar.adc.conversionNanoseconds")
        let b = Double(integer("crossbar.adc.bits")), b0 = Double(integer("energy.adcReferenceBits"))
        switch choice("crossbar.adc.type") {
        case "sar": return t * b / b0
        case "ramp": return t * (Foundation.pow(2, b) - 1) / (Foundation.pow(2, b0) - 1)
        default: return t
        }
    }

    /// The ratio a multi-bit read's pulse time (and, for counted pulses, its row-driver energy)
    /// takes at `crossbar.dac.inputBits` b against `crossbar.dac.referenceBits` b0:
    /// (2^b - 1) / (2^b0 - 1) for pulse-width and pulse-count encodings, 1 for an amplitude DAC
    /// and for bit-serial reads (each a 1-bit pulse).
    var inputPulseRatio: Double {
        guard choice("crossbar.dac.scheme") == "multi-bit", choice("crossbar.dac.pulseEncoding") != "amplitude" else { return 1 }
        let b = Double(integer("crossbar.dac.inputBits")), b0 = Double(integer("crossbar.dac.referenceBits"))
        return (Foundation.pow(2, b) - 1) / (Foundation.pow(2, b0) - 1)
    }

    /// The read pulse at the configured input bits (`inputPulseRatio` x `crossbar.readPulseNanoseconds`).
    public var readPulseNanoseconds: Double { number("crossbar.readPulseNanoseconds") * inputPulseRatio }

    /// Row-driver energy per driven row and read: `energy.rowDriverFemtojoules`, times the pulse
    /// ratio when every pulse is driven anew (`count`).
    public var rowDriverFemtojoules: Double {
        number("energy.rowDriverFemtojoules") * (choice("crossbar.dac.pulseEncoding") == "count" ? inputPulseRatio : 1)
    }

    // MARK: Loading

    /// Where presets are looked for on disk: `HardwareModels/` in the working directory (a
    /// checkout's own, possibly edited, copies). Otherwise the copies built into the binary
    /// (`EmbeddedPresets`, kept equal to HardwareModels/ by a test) serve, from any directory.
    public static var presetDirectories: [String] {
        [FileManager.default.currentDirectoryPath + "/HardwareModels"]
    }

    /// Paths of the files built into the binary (`EmbeddedPresets`): `builtin:` and the path
    /// under HardwareModels/. Disk copies come first; these make a copied binary work anywhere.
    public static let builtinPrefix = "builtin:"

    /// The bytes of `path`: a file, or a built-in one.
    public static func contents(of path: String) -> Data? {
        if path.hasPrefix(builtinPrefix) {
            return EmbeddedPresets.files[String(path.dropFirst(builtinPrefix.count))].map { Data($0.utf8) }
        }
        return FileManager.default.contents(atPath: path)
    }

    /// The names of the presets found in `presetDirectories` and built in, sorted.
    public static func presetNames() -> [String] {
        var names = Set(EmbeddedPresets.files.keys.filter { !$0.contains("/") }.map { String($0.dropLast(5)) })
        for dir in presetDirectories {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix(".json") {
                names.insert(String(f.dropLast(5)))
            }
        }
        return names.sorted()
    }

    /// Loads a preset (by name) or a file (by path), resolves its bases, applies `sets`
    /// (`key.path=value`) and validates the result.
    public static func load(_ nameOrPath: String, sets: [String] = []) throws -> HardwareDescription {
        let path = try locate(nameOrPath, relativeTo: nil)
        var tree = try resolve(path: path, chain: [])
        let plain = try validate(tree, file: path)
        guard !sets.isEmpty else { return plain }
        for s in sets { try apply(set: s, to: &tree) }
        do {
            return try validate(tree, file: path)
        } catch let e as InputError {
            // The file alone is valid: what the overrides made of it is the flag's fault.
            throw InputError.usage(flag: "--set", e.message.replacingOccurrences(of: "\(path): ", with: "") + " (after --set " + sets.joined(separator: " --set ") + ")")
        }
    }

    static func locate(_ nameOrPath: String, relativeTo dir: String?) throws -> String {
        let fm = FileManager.default
        var candidates = [String]()
        if nameOrPath.hasPrefix("/") {
            candidates.append(nameOrPath)
        } else {
            if let dir { candidates.append(dir + "/" + nameOrPath) }
            candidates.append(nameOrPath)
        }
        if !nameOrPath.hasSuffix(".json") && !nameOrPath.contains("/") {
            candidates += presetDirectories.map { "\($0)/\(nameOrPath).json" }
        }
        var isDir: ObjCBool = false
        if let found = candidates.first(where: { !$0.hasPrefix(builtinPrefix) && fm.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue }) {
            return found
        }
        // Built in: a base named relative to a built-in file, or a preset by name.
        var builtin = [String]()
        if let dir, dir.hasPrefix(builtinPrefix) {
            let rel = String(dir.dropFirst(builtinPrefix.count))
            let joined = URL(fileURLWithPath: "/" + (rel.isEmpty ? "" : rel + "/") + nameOrPath).standardizedFileURL.path
            builtin.append(String(joined.dropFirst()))
        }
        if !nameOrPath.hasSuffix(".json") && !nameOrPath.contains("/") { builtin.append(nameOrPath + ".json") }
        if let rel = builtin.first(where: { EmbeddedPresets.files[$0] != nil }) { return builtinPrefix + rel }
        let presets = presetNames()
        throw InputError.data(file: nameOrPath, "no such hardware file or preset" + (presets.isEmpty ? "" : "; presets: " + presets.joined(separator: ", ")))
    }

    /// Reads `path` and merges it over its base chain; `chain` detects cycles.
    static func resolve(path: String, chain: [String]) throws -> [String: Any] {
        let canonical = path.hasPrefix(builtinPrefix) ? path : URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if chain.contains(canonical) {
            let names = (chain + [canonical]).map { URL(fileURLWithPath: $0).lastPathComponent }
            throw InputError.data(file: path, field: "base", "cycle: " + names.joined(separator: " -> "))
        }
        guard let data = contents(of: path) else {
            throw InputError.data(file: path, "cannot read the file")
        }
        if let key = JSONKeys.firstDuplicate(in: data) { throw InputError.data(file: path, field: key, "appears twice in its object") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw InputError.data(file: path, "not valid JSON")
        }
        guard var tree = parsed as? [String: Any] else { throw InputError.data(file: path, "expected a JSON object at the top level") }
        guard let base = tree["base"] else { return tree }
        tree["base"] = nil
        if base is NSNull { return tree }
        guard let baseName = base as? String, !baseName.isEmpty else {
            throw InputError.data(file: path, field: "base", "expected a preset name or a file path")
        }
        let dir = path.hasPrefix(builtinPrefix)
            ? builtinPrefix + (path.dropFirst(builtinPrefix.count).split(separator: "/").dropLast().joined(separator: "/"))
            : URL(fileURLWithPath: path).deletingLastPathComponent().path
        let basePath: String
        do { basePath = try locate(baseName, relativeTo: dir) } catch let e as InputError {
            throw InputError.data(file: path, field: "base", "'\(baseName)': " + e.message.replacingOccurrences(of: "\(baseName): ", with: ""))
        }
        let baseTree = try resolve(path: basePath, chain: chain + [canonical])
        return merge(baseTree, over: tree)
    }

    /// `top` over `bottom`: objects merge key by key; anything else in `top` replaces. A number's
    /// `{"value", "source"}` object is replaced whole, so an override must give its own source.
    static func merge(_ bottom: [String: Any], over top: [String: Any]) -> [String: Any] {
        var out = bottom
        for (k, v) in top {
            if let vo = v as? [String: Any], let bo = bottom[k] as? [String: Any], vo["value"] == nil {
                out[k] = merge(bo, over: vo)
            } else {
                out[k] = v
            }
        }
        return out
    }

    /// Applies one `key.path=value` override.
    static func apply(set: String, to tree: inout [String: Any]) throws {
        guard let eq = set.firstIndex(of: "="), eq != set.startIndex else {
            throw InputError.usage(flag: "--set", "expected key.path=value, got '\(set)'")
        }
        let path = String(set[..<eq]).trimmingCharacters(in: .whitespaces)
        let raw = String(set[set.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        guard let key = HardwareSchema.byPath[path] else {
            throw InputError.usage(flag: "--set", "unknown key '\(path)'; 'hffsim hardware keys' lists them")
        }
        let value: Any
        switch key.kind {
        case .number, .integer:
            guard let x = Double(raw), x.isFinite else { throw InputError.usage(flag: "--set", "\(path): expected \(key.expected), got '\(raw)'") }
            value = ["value": x, "source": "--set"]
        case .choice:
            value = raw
        case .flag:
            guard raw == "true" || raw == "false" else { throw InputError.usage(flag: "--set", "\(path): expected true or false, got '\(raw)'") }
            value = raw == "true"
        }
        tree = setValue(value, at: path.split(separator: ".").map(String.init), in: tree)
    }

    static func setValue(_ value: Any, at path: [String], in tree: [String: Any]) -> [String: Any] {
        var out = tree
        if path.count == 1 {
            out[path[0]] = value
        } else {
            let child = (tree[path[0]] as? [String: Any]) ?? [:]
            out[path[0]] = setValue(value, at: Array(path.dropFirst()), in: child)
        }
        return out
    }

    /// Checks a merged tree against the schema; errors are "FILE: key.path: message".
    static func validate(_ tree: [String: Any], file: String) throws -> HardwareDescription {
        func fail(_ path: String, _ message: String) -> InputError { InputError.data(file: file, field: path, message) }
        guard let version = tree["schemaVersion"].flatMap(jsonNumber), version == Double(HardwareSchema.version) else {
            throw fail("schemaVersion", "expected \(HardwareSchema.version)")
        }
        guard let name = tree["name"] as? String, !name.isEmpty else { throw fail("name", "expected a non-empty string") }
        let summary = tree["description"] as? String ?? ""
        if tree["description"] != nil && !(tree["description"] is String) { throw fail("description", "expected a string") }

        // Unknown keys, found by walking the tree (a number's value object ends the walk).
        var seen = Set<String>()
        func walk(_ node: [String: Any], _ prefix: String) throws {
            for k in node.keys.sorted() {
                let path = prefix.isEmpty ? k : prefix + "." + k
                if prefix.isEmpty && ["schemaVersion", "name", "description"].contains(k) { continue }
                if HardwareSchema.byPath[path] != nil { seen.insert(path); continue }
                guard let child = node[k] as? [String: Any],
                      HardwareSchema.keys.contains(where: { $0.path.hasPrefix(path + ".") }) else {
                    throw fail(path, "unknown key")
                }
                try walk(child, path)
            }
        }
        try walk(tree, "")

        var values = [String: Value]()
        var sources = [String: String]()
        for key in HardwareSchema.keys {
            guard seen.contains(key.path), let raw = lookup(key.path, in: tree) else { throw fail(key.path, "missing (\(key.expected))") }
            switch key.kind {
            case .number, .integer:
                guard let obj = raw as? [String: Any] else {
                    throw fail(key.path, "expected {\"value\": number, \"source\": \"where it comes from\"}")
                }
                if let extra = obj.keys.sorted().first(where: { $0 != "value" && $0 != "source" }) {
                    throw fail(key.path + "." + extra, "unknown key")
                }
                guard let x = obj["value"].flatMap(jsonNumber) else {
                    throw fail(key.path + ".value", "expected \(key.expected), got \(obj["value"].map(describe) ?? "nothing")")
                }
                guard let source = obj["source"] as? String, !source.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw fail(key.path + ".source", "expected a non-empty string saying where the value comes from")
                }
                switch key.kind {
                case .integer(let r):
                    guard x == x.rounded(), x >= Double(r.lowerBound), x <= Double(r.upperBound) else {
                        throw fail(key.path, "expected \(key.expected), got \(HardwareKey.format(x))")
                    }
                case .number(let r):
                    guard r.contains(x) else { throw fail(key.path, "expected \(key.expected), got \(HardwareKey.format(x))") }
                default:
                    break
                }
                values[key.path] = .number(x)
                sources[key.path] = source
            case .choice(let options):
                guard let s = raw as? String, options.contains(s) else { throw fail(key.path, "expected \(key.expected), got \(describe(raw))") }
                values[key.path] = .text(s)
            case .flag:
                guard isBoolean(raw), let b = raw as? Bool else { throw fail(key.path, "expected true or false, got \(describe(raw))") }
                values[key.path] = .flag(b)
            }
        }
        var d = HardwareDescription(name: name, summary: summary, values: values, sources: sources)
        d.file = file
        try d.checkConsistency(file: file)
        return d
    }

    /// Combinations no hardware can have.
    func checkConsistency(file: String) throws {
        func fail(_ path: String, _ message: String) -> InputError { InputError.data(file: file, field: path, message) }
        // Read past the models' accessors, so that validation does not count as a model reading a key.
        func number(_ path: String) -> Double { if case .number(let x)? = values[path] { return x }; return 0 }
        func integer(_ path: String) -> Int { Int(number(path)) }
        func choice(_ path: String) -> String { if case .text(let s)? = values[path] { return s }; return "" }
        let gMin = number("crossbar.conductanceMinMicrosiemens"), gMax = number("crossbar.conductanceMaxMicrosiemens")
        if !(gMin < gMax) {
            throw fail("crossbar.conductanceMinMicrosiemens", "expected below crossbar.conductanceMaxMicrosiemens (\(HardwareKey.format(gMax))), got \(HardwareKey.format(gMin))")
        }
        if integer("crossbar.rowsPerRead") > integer("crossbar.rows") {
            throw fail("crossbar.rowsPerRead", "expected at most crossbar.rows (\(integer("crossbar.rows"))), got \(integer("crossbar.rowsPerRead"))")
        }
        if integer("crossbar.rows") % integer("crossbar.rowsPerRead") != 0 {
            throw fail("crossbar.rowsPerRead", "expected a divisor of crossbar.rows (\(integer("crossbar.rows"))), so that row groups stay within a tile; got \(integer("crossbar.rowsPerRead"))")
        }
        if integer("crossbar.adc.columnsPerADC") > integer("crossbar.columns") {
            throw fail("crossbar.adc.columnsPerADC", "expected at most crossbar.columns (\(integer("crossbar.columns"))), got \(integer("crossbar.adc.columnsPerADC"))")
        }
        if number("noise.stuckAtOnRate") + number("noise.stuckAtOffRate") > 1 {
            throw fail("noise.stuckAtOnRate", "stuck-at-on and stuck-at-off rates add up to more than 1")
        }
        let gateKeys = ["leakage.switchMatrixGatesPerLine", "leakage.columnMuxGatesPerTile", "leakage.gatesPerADC",
                        "leakage.shiftAddGatesPerADC", "leakage.peripheryGatesPerTile"]
        if let flavour = LogicTechnology.Flavour(rawValue: choice("technology.logicTransistors")),
           LogicTechnology.entry(nodeNanometers: number("technology.nodeNanometers"), flavour: flavour) == nil,
           let given = gateKeys.first(where: { number($0) > 0 }) {
            throw fail("technology.nodeNanometers", "\(HardwareKey.format(number("technology.nodeNanometers"))) nm \(flavour.rawValue) has no leakage entry, but \(given) counts leaking gates; known: \(LogicTechnology.known)")
        }
        if choice("crossbar.weightEncoding") == "differential" && integer("crossbar.columns") % 2 != 0 {
            throw fail("crossbar.columns", "a differential encoding needs an even number of columns, got \(integer("crossbar.columns"))")
        }
    }

    static func lookup(_ path: String, in tree: [String: Any]) -> Any? {
        var node: Any = tree
        for part in path.split(separator: ".") {
            guard let obj = node as? [String: Any], let next = obj[String(part)] else { return nil }
            node = next
        }
        return node
    }

    static func describe(_ v: Any) -> String {
        if let s = v as? String { return "'\(s)'" }
        if v is NSNull { return "null" }
        if isBoolean(v) { return (v as? Bool) == true ? "true" : "false" }
        if let n = v as? NSNumber { return n.stringValue }
        if v is [Any] { return "a list" }
        if v is [String: Any] { return "an object" }
        return "\(v)"
    }

    // MARK: Output

    /// The resolved description as nested JSON with sorted keys (a valid description file).
    /// This description with `key.path=value` overrides applied and validated again.
    public func overriding(_ sets: [String]) throws -> HardwareDescription {
        var tree = jsonObject()
        for s in sets { try HardwareDescription.apply(set: s, to: &tree) }
        return try HardwareDescription.validate(tree, file: name)
    }

    /// A description from its JSON object (as `jsonObject()` writes it, for example inside a
    /// hardware config), validated; errors name `file` and the key path under `prefix`.
    public static func fromJSONObject(_ tree: [String: Any], file: String, prefix: String = "") throws -> HardwareDescription {
        do {
            return try validate(tree, file: file)
        } catch let e as InputError where !prefix.isEmpty {
            throw InputError(e.kind, e.message.replacingOccurrences(of: "\(file): ", with: "\(file): \(prefix)."))
        }
    }

    public func jsonObject() -> [String: Any] {
        var tree: [String: Any] = ["schemaVersion": HardwareSchema.version, "name": name]
        if !summary.isEmpty { tree["description"] = summary }
        for key in HardwareSchema.keys {
            let v: Any
            switch values[key.path]! {
            case .number(let x):
                let value: Any = x == x.rounded() && abs(x) < 1e15 ? Int(x) as Any : x as Any
                v = ["value": value, "source": sources[key.path]!]
            case .text(let s): v = s
            case .flag(let b): v = b
            }
            tree = HardwareDescription.setValue(v, at: key.path.split(separator: ".").map(String.init), in: tree)
        }
        return tree
    }
}

/// Foundation bridges JSON `true` and `1` both to NSNumber; these tell them apart.
func isBoolean(_ v: Any) -> Bool {
    if v is Bool && !(v is NSNumber) { return true }
    guard let n = v as? NSNumber else { return false }
    return String(cString: n.objCType) == "c"
}

/// A JSON number (not a boolean) as a Double.
public func jsonNumber(_ v: Any) -> Double? {
    guard !isBoolean(v), let n = v as? NSNumber else { return nil }
    return n.doubleValue
}
