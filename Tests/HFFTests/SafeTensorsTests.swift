import Foundation
import XCTest
import HFF
import Numerics

final class SafeTensorsTests: XCTestCase {
    // MARK: - Helpers

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A safetensors buffer with `header` as given (no padding added) followed by `data`.
    func file(header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var n = (length ?? UInt64(h.count)).littleEndian
        var out = Data()
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
    }

    func f32(_ values: [Float]) -> [UInt8] { bytes(values.map(\.bitPattern)) }

    /// Asserts that decoding `data` throws a data error whose message contains every one of `parts`.
    func assertRejects(_ data: Data, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        do {
            let st = try SafeTensors.decode(data, file: "bad.safetensors")
            XCTFail("accepted corrupt input: \(st)", file: file, line: line)
        } catch let error as InputError {
            XCTAssertEqual(error.kind, .data, file: file, line: line)
            XCTAssertTrue(error.message.hasPrefix("bad.safetensors: "), error.message, file: file, line: line)
            XCTAssertFalse(error.message.contains("\n"), "multi-line message: \(error.message)", file: file, line: line)
            for p in parts {
                XCTAssertTrue(error.message.contains(p), "\"\(error.message)\" does not contain \"\(p)\"", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error type: \(error)", file: file, line: line)
        }
    }

    func sample() -> SafeTensors {
        SafeTensors(tensors: [
            "layers.0.weight": .init(shape: [2, 3], values: [1, -2, 3.5, .pi, -0.0, 1e-30]),
            "layers.0.bias": .init(shape: [2], values: [0.25, -7]),
            "scalar": .init(shape: [], values: [42]),
            "empty": .init(shape: [0], values: []),
            "empty2d": .init(shape: [3, 0], values: []),
        ], metadata: [
            "format": "hffsim-model",
            "quotes": "say \"hi\" and 'bye'",
            "backslashes": "C:\\path\\to\\file \\u0041 \\",
            "unicode": "π ≈ 3.14159, Grüße, 日本語, 🚀, e\u{301}",
            "control": "line1\nline2\r\n\ttab \u{0} nul \u{1F} unit \u{7F} del \u{8}\u{C}",
            "json": #"{"a": [1, 2.5e-3], "b": "x\"y"}"#,
            "": "empty key",
            "empty value": "",
        ])
    }

    // MARK: - Round trip and determinism

    func testRoundTripIncludingMetadataEscapes() throws {
        let st = sample()
        let decoded = try SafeTensors.decode(st.encode(), file: "x")
        XCTAssertEqual(decoded, st)
        XCTAssertEqual(decoded.metadata["control"], st.metadata["control"])
        // Bit-exact values (negative zero, tiny values).
        XCTAssertEqual(decoded.tensors["layers.0.weight"]!.values.map(\.bitPattern), st.tensors["layers.0.weight"]!.values.map(\.bitPattern))
        // The header is valid JSON for another parser too, with the same strings.
        let data = st.encode()
        let n = Int(data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        XCTAssertEqual(json["__metadata__"] as? [String: String], st.metadata)
    }

    func testNaNAndInfinityRoundTripBitExact() throws {
        let special: [Float] = [.nan, -.infinity, .infinity, Float(bitPattern: 0x7FA0_0001), .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let st = SafeTensors(tensors: ["x": .init(shape: [6], values: special)])
        let decoded = try SafeTensors.decode(st.encode(), file: "x")
        XCTAssertEqual(decoded.tensors["x"]!.values.map(\.bitPattern), special.map(\.bitPattern))
    }

    func testEncodingIsDeterministic() throws {
        let a = sample()
        XCTAssertEqual(a.encode(), a.encode())
        // The same content built in a different insertion order gives the same bytes.
        var b = SafeTensors()
        for name in a.tensors.keys.sorted().reversed() { b.tensors[name] = a.tensors[name] }
        for key in a.metadata.keys.sorted().reversed() { b.metadata[key] = a.metadata[key] }
        XCTAssertEqual(b.encode(), a.encode())
        // Header length is a multiple of 8 and the header is padded with spaces.
        let data = a.encode()
        let n = Int(data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual(n % 8, 0)
        let header = String(decoding: data.subdata(in: 8..<(8 + n)), as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{"))
        XCTAssertTrue(header.trimmingCharacters(in: .init(charactersIn: " ")).hasSuffix("}"))
        // Tensors are laid out in name order.
        let names = ["empty", "empty2d", "layers.0.bias", "layers.0.weight", "scalar"]
        let positions = names.map { header.range(of: "\"\($0)\":{")!.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
    }

    /// The exact bytes of the reference implementation's own serialization tests
    /// (safetensors/src/tensor.rs: test_serialization, test_empty, test_serialization_forced_alignement).
    func testBytesMatchReferenceImplementation() {
        let one = SafeTensors(tensors: ["attn.0": .init(shape: [1, 2, 3], values: [0, 1, 2, 3, 4, 5])])
        XCTAssertEqual([UInt8](one.encode()), [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ])
        XCTAssertEqual([UInt8](SafeTensors().encode()), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        XCTAssertEqual([UInt8](SafeTensors(metadata: ["framework": "pt"]).encode()), [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ])
        let aligned = SafeTensors(tensors: ["attn0": .init(shape: [1, 1, 2, 3], values: [0, 1, 2, 3, 4, 5])])
        XCTAssertEqual([UInt8](aligned.encode()), [
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64,
        ])
    }

    func testZeroElementAndScalarTensors() throws {
        let st = SafeTensors(tensors: [
            "a": .init(shape: [0], values: []),
            "b": .init(shape: [], values: [-1.5]),
            "c": .init(shape: [4, 0, 2], values: []),
            "d": .init(shape: [1], values: [3]),
        ])
        let decoded = try SafeTensors.decode(st.encode(), file: "x")
        XCTAssertEqual(decoded, st)
        XCTAssertEqual(decoded.tensors["b"]!.shape, [])
        XCTAssertEqual(decoded.tensors["a"]!.values, [])
        // Hand-made: several zero-length tensors at the same offset, then a scalar.
        let data = file(header: #"{"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"#
            + #""z2":{"dtype":"F64","shape":[0,7],"data_offsets":[0,0]},"#
            + #""s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, data: f32([2.5]))
        let hand = try SafeTensors.decode(data, file: "x")
        XCTAssertEqual(hand.tensors["z1"], .init(shape: [0], values: []))
        XCTAssertEqual(hand.tensors["z2"], .init(shape: [0, 7], values: []))
        XCTAssertEqual(hand.tensors["s"], .init(shape: [], values: [2.5]))
        XCTAssertEqual(hand.metadata, [:])
    }

    /// Valid variations other writers may produce.
    func testAcceptsValidVariations() throws {
        // Tensors listed out of offset order, unknown fields, whitespace, escaped names,
        // null metadata, header padded with spaces.
        let header = "\n { \"b\" : {\"data_offsets\":[4,8],\"shape\":[1],\"dtype\":\"F32\",\"extra\":{\"x\":[1,2]}},\t"
            + #""a\u002Ex":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "__metadata__": null}   "#
        let st = try SafeTensors.decode(file(header: header, data: f32([1, 2])), file: "x")
        XCTAssertEqual(st.tensors, ["a.x": .init(shape: [1], values: [1]), "b": .init(shape: [1], values: [2])])
        XCTAssertEqual(st.metadata, [:])
        // Surrogate-pair escapes in metadata.
        let m = try SafeTensors.decode(file(header: #"{"__metadata__":{"k":"\ud83d\ude80\u00e9\/"}}"#), file: "x")
        XCTAssertEqual(m.metadata, ["k": "🚀é/"])
    }

    // MARK: - Dtypes

    func testF16Decoding() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x0000, 0x7C00, 0xFC00, 0x3555, 0x7E00]
        let expected: [Float] = [1, -2, 65504, 0x1p-24, 0x1.FF8p-15, 0x1p-14, -0.0, 0, .infinity, -.infinity, 0x1.554p-2, .nan]
        let data = file(header: #"{"h":{"dtype":"F16","shape":[3,4],"data_offsets":[0,24]}}"#, data: bytes(halves))
        let t = try SafeTensors.decode(data, file: "x").tensors["h"]!
        XCTAssertEqual(t.shape, [3, 4])
        XCTAssertEqual(t.values.map(\.bitPattern).dropLast(), expected.map(\.bitPattern).dropLast())
        XCTAssertTrue(t.values.last!.isNaN)
        // Exhaustive comparison with the standard library's Float16 where it exists.
        #if !(os(macOS) && arch(x86_64))
        for bits in 0...UInt16.max {
            let ours = SafeTensors.floatFromHalf(bits)
            let std = Float(Float16(bitPattern: bits))
            if std.isNaN { XCTAssertTrue(ours.isNaN) } else { XCTAssertEqual(ours.bitPattern, std.bitPattern, "half \(bits)") }
        }
        #endif
    }

    func testBF16Decoding() throws {
        let values: [UInt16] = [0x3F80, 0xC049, 0x7F80, 0xFF80, 0x8000, 0x0001, 0x7F7F]
        let expected: [Float] = [1, -3.140625, .infinity, -.infinity, -0.0, Float(bitPattern: 0x0001_0000), Float(bitPattern: 0x7F7F_0000)]
        let data = file(header: #"{"b":{"dtype":"BF16","shape":[7],"data_offsets":[0,14]}}   "#, data: bytes(values))
        let t = try SafeTensors.decode(data, file: "x").tensors["b"]!
        XCTAssertEqual(t.values.map(\.bitPattern), expected.map(\.bitPattern))
    }

    func testF64Decoding() throws {
        let doubles: [Double] = [1.5, -0.1, 1e300, -1e-300, 3.141592653589793, 16777217]
        let data = file(header: #"{"d":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]}}"#, data: bytes(doubles.map(\.bitPattern)))
        let t = try SafeTensors.decode(data, file: "x").tensors["d"]!
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.values.map(\.bitPattern), [1.5, Float(-0.1), .infinity, -0.0, Float(3.141592653589793), 16777216].map(\.bitPattern))
    }

    /// F16, BF16 and F64 tensors written by torch, against torch's own `.float()` conversions.
    func testDtypesWrittenByTorch() throws {
        let st = try SafeTensors.read(path: Self.fixtures.appendingPathComponent("torch-dtypes.safetensors").path)
        let expected = try loadJSON("torch-dtypes.expected.json")
        let tensors = try XCTUnwrap(expected["tensors"] as? [String: Any])
        XCTAssertEqual(Set(st.tensors.keys), Set(tensors.keys))
        for (name, any) in tensors {
            let e = try XCTUnwrap(any as? [String: Any])
            let t = try XCTUnwrap(st.tensors[name])
            XCTAssertEqual(t.shape, try XCTUnwrap(e["shape"] as? [Int]))
            let bits = try XCTUnwrap(e["bits"] as? [NSNumber]).map(\.uint32Value)
            XCTAssertEqual(t.values.map(\.bitPattern), bits, name)
        }
    }

    func testRejectsUnsupportedDtypeNamingTensorAndDtype() {
        for dtype in ["I32", "U8", "BOOL", "F8_E4M3", "f32", ""] {
            assertRejects(file(header: #"{"layers.0.weight":{"dtype":"\#(dtype)","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                          "tensor 'layers.0.weight'", "\"\(dtype)\"")
        }
    }

    // MARK: - Corrupt input

    func testRejectsBadHeaderLength() {
        assertRejects(Data(), "header", "too short")
        assertRejects(Data([8, 0, 0]), "header", "too short")
        assertRejects(file(header: "{}", length: 3), "header")
        assertRejects(file(header: "{}      ", length: 9), "header", "exceeds")
        assertRejects(file(header: "{}", length: 100_000_001), "header", "limit")
        assertRejects(file(header: "{}", length: UInt64.max), "header", "limit")
        assertRejects(file(header: "{}", length: 1 << 63), "header", "limit")
        assertRejects(file(header: "", length: 0), "header", "JSON")
    }

    func testRejectsNonUTF8AndInvalidJSON() {
        var bad = file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#)
        bad[10] = 0xFF
        assertRejects(bad, "header", "UTF-8")
        assertRejects(file(header: "{}\u{0}"), "header", "JSON")
        for text in ["{", "}", "[]", "\"x\"", "12", "null", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{'a':1}",
                     "{\"a\":tru}", "{} {}", "{}x", "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}",
                     "{\"a\":\"\\udc00x\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\u12\"}", "{\"a\":01}", "{\"a\":1.}",
                     "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"unterminated}", "\u{FEFF}{}"] {
            assertRejects(file(header: text), "header")
        }
        // Deep nesting must not exhaust the stack.
        let deep = "{\"__metadata__\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        assertRejects(file(header: deep), "header", "nesting")
        // The reference (serde_json) accepts 127 levels and rejects 128.
        func nested(_ levels: Int) -> Data {
            let inner = levels - 2 // the header object and the tensor object
            return file(header: #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":"#
                + String(repeating: "[", count: inner) + String(repeating: "]", count: inner) + "}}", data: f32([1]))
        }
        XCTAssertNoThrow(try SafeTensors.decode(nested(127), file: "x"))
        assertRejects(nested(128), "header", "nesting")
    }

    func testRejectsDuplicateKeys() {
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                           data: f32([1, 2])), "header", "duplicate")
        assertRejects(file(header: #"{"a":{"dtype":"F32","dtype":"F64","shape":[0],"data_offsets":[0,0]}}"#), "header", "duplicate")
        assertRejects(file(header: #"{"__metadata__":{"k":"1","k":"2"}}"#), "header", "duplicate")
        // Canonically equivalent names (precomposed and decomposed é) would collide in a Swift dictionary.
        assertRejects(file(header: "{\"\u{E9}\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                               + "\"e\u{301}\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"), "twice")
    }

    func testRejectsMissingAndMistypedFields() {
        let cases: [(String, String)] = [
            (#"{"t":{"shape":[1],"data_offsets":[0,4]}}"#, "missing dtype"),
            (#"{"t":{"dtype":"F32","data_offsets":[0,4]}}"#, "missing shape"),
            (#"{"t":{"dtype":"F32","shape":[1]}}"#, "missing data_offsets"),
            (#"{"t":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}"#, "dtype"),
            (#"{"t":[1,2]}"#, "expected an object"),
            (#"{"t":null}"#, "expected an object"),
            (#"{"t":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}"#, "shape"),
            (#"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[1,1.5],"data_offsets":[0,4]}}"#, "shape[1]"),
            (#"{"t":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[null],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, "shape[0]"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, "data_offsets"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, "data_offsets"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":{"0":0}}}"#, "data_offsets"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "data_offsets[0]"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}"#, "data_offsets[1]"),
            (#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551620]}}"#, "data_offsets[1]"),
        ]
        for (header, part) in cases {
            assertRejects(file(header: header, data: [0, 0, 0, 0]), "tensor 't'", part)
        }
    }

    func testRejectsBadOffsets() {
        let d8 = f32([1, 2])
        // Does not start at 0 (gap before the first tensor).
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: d8), "tensor 'a'", "gap")
        // Gap between tensors.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                           data: f32([1, 2, 3])), "tensor 'b'", "gap")
        // Overlap.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                           data: d8), "tensor 'b'", "overlap")
        // Same range twice.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                           data: d8), "tensor 'b'", "overlap")
        // End before begin.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"c":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
                           data: d8), "tensor")
        // Beyond the end of the file.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: d8), "header", "truncated")
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,9223372036854775807]}}"#,
                           data: d8), "tensor 'b'")
        // Not covering the whole buffer (trailing bytes).
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: d8), "header", "trailing")
        assertRejects(file(header: "{}", data: [0]), "header", "trailing")
        // Byte length not matching shape * dtype size.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "needs 4")
        assertRejects(file(header: #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "needs 16")
        assertRejects(file(header: #"{"a":{"dtype":"F16","shape":[],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "needs 2")
        // Element count overflow.
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "too many")
        assertRejects(file(header: #"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "too many")
        assertRejects(file(header: #"{"a":{"dtype":"F32","shape":[9223372036854775807,2,0],"data_offsets":[0,8]}}"#, data: d8), "tensor 'a'", "too many")
    }

    func testRejectsBadMetadata() {
        assertRejects(file(header: #"{"__metadata__":{"format":1}}"#), "header", "\"format\"", "string")
        assertRejects(file(header: #"{"__metadata__":{"a":"b","c":null}}"#), "header", "\"c\"")
        assertRejects(file(header: #"{"__metadata__":{"a":["b"]}}"#), "header", "\"a\"")
        assertRejects(file(header: #"{"__metadata__":{"a":{"b":"c"}}}"#), "header", "\"a\"")
        assertRejects(file(header: #"{"__metadata__":"x"}"#), "header", "__metadata__")
        assertRejects(file(header: #"{"__metadata__":["x"]}"#), "header", "__metadata__")
    }

    func testErrorMessagesStayOnOneLine() {
        assertRejects(file(header: #"{"evil\nname\u0000":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#, data: [0]),
                      #"tensor 'evil\nname\u{0}'"#)
        let long = String(repeating: "x", count: 10_000)
        assertRejects(file(header: #"{"\#(long)":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#, data: [0]), "...")
    }

    /// Every truncation and many random corruptions of a valid file: a result or a data error,
    /// never a trap.
    func testTruncationAndRandomCorruptionNeverTrap() throws {
        let valid = sample().encode()
        for length in 0..<valid.count {
            assertRejects(valid.prefix(length))
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var accepted = 0
        for _ in 0..<20000 {
            var data = valid
            let flips = 1 + Int(next() % 4)
            for _ in 0..<flips {
                let i = Int(next() % UInt64(data.count))
                let choice = next() % 4
                // Bias toward characters that matter in the header.
                let interesting: [UInt8] = Array("{}[]\",:0123456789-.e ".utf8) + [0, 0xFF, 0x80]
                data[i] = choice == 0 ? UInt8(truncatingIfNeeded: next()) : interesting[Int(next() % UInt64(interesting.count))]
            }
            do {
                let st = try SafeTensors.decode(data, file: "fuzz")
                accepted += 1
                for t in st.tensors.values { XCTAssertEqual(t.values.count, t.elementCount) }
            } catch let error as InputError {
                XCTAssertEqual(error.kind, .data)
            }
        }
        XCTAssertGreaterThan(accepted, 0) // flips inside tensor data keep the file valid
    }

    // MARK: - Files

    func testWriteAndReadFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        let st = sample()
        try st.write(to: path)
        XCTAssertEqual(try SafeTensors.read(path: path), st)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), st.encode())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.safetensors"]) // no temp file left

        // Errors name the path.
        let missing = dir.appendingPathComponent("missing.safetensors").path
        XCTAssertThrowsError(try SafeTensors.read(path: missing)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.kind, .data)
            XCTAssertTrue(e?.message.hasPrefix(missing + ": ") ?? false, "\(error)")
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: missing))
        XCTAssertThrowsError(try SafeTensors.read(path: missing)) { error in
            XCTAssertTrue((error as? InputError)?.message.hasPrefix(missing + ": header: ") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try st.write(to: dir.appendingPathComponent("no/such/dir/x.safetensors").path)) { error in
            XCTAssertEqual((error as? InputError)?.kind, .data)
        }
        // Inconsistent content is refused by write (encode would trap).
        let bad = SafeTensors(tensors: ["w": .init(shape: [2, 2], values: [1, 2, 3])])
        XCTAssertThrowsError(try bad.write(to: path)) { error in
            XCTAssertTrue((error as? InputError)?.message.contains("tensor 'w'") ?? false, "\(error)")
        }
        XCTAssertNotNil(SafeTensors(tensors: ["__metadata__": .init(shape: [], values: [1])]).encodingProblem())
        XCTAssertNotNil(SafeTensors(tensors: ["n": .init(shape: [-1], values: [])]).encodingProblem())
        XCTAssertEqual(try SafeTensors.read(path: path), st) // the failed write left the file alone
    }

    // MARK: - PyTorch interoperability

    func loadJSON(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A model file written by `safetensors.torch.save_file` (scripts/torch_interop.py write).
    func testReadsTorchWrittenFixture() throws {
        let st = try SafeTensors.read(path: Self.fixtures.appendingPathComponent("torch-hff-tiny.safetensors").path)
        let expected = try loadJSON("torch-hff-tiny.expected.json")
        XCTAssertEqual(st.metadata, try XCTUnwrap(expected["metadata"] as? [String: String]))
        let tensors = try XCTUnwrap(expected["tensors"] as? [String: Any])
        XCTAssertEqual(Set(st.tensors.keys), Set(["layers.0.weight", "layers.0.bias", "layers.0.prototypes",
                                                   "layers.1.weight", "layers.1.bias", "layers.1.prototypes"]))
        XCTAssertEqual(Set(st.tensors.keys), Set(tensors.keys))
        for (name, any) in tensors {
            let e = try XCTUnwrap(any as? [String: Any])
            let t = try XCTUnwrap(st.tensors[name])
            XCTAssertEqual(t.shape, try XCTUnwrap(e["shape"] as? [Int]), name)
            let bits = try XCTUnwrap(e["bits"] as? [NSNumber]).map(\.uint32Value)
            XCTAssertEqual(t.values.map(\.bitPattern), bits, name)
            let values = try XCTUnwrap(e["values"] as? [NSNumber]).map { Float($0.doubleValue) }
            XCTAssertEqual(t.values, values, name)
        }
        XCTAssertEqual(st.tensors["layers.0.weight"]?.shape, [3, 4])
        XCTAssertEqual(st.tensors["layers.1.prototypes"]?.shape, [2, 3])
        let hffsim = try XCTUnwrap(st.metadata["hffsim"])
        let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(hffsim.utf8)) as? [String: Any])
        XCTAssertEqual(meta["algorithm"] as? String, "hff")
        XCTAssertEqual(meta["layers"] as? [Int], [3, 3])
    }

    /// Runs `python3 ARGS`; nil when python3 cannot be started.
    func runPython(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        process.currentDirectoryURL = Self.repoRoot
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("py-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return nil }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), stderr)
    }

    /// A file written by this encoder, read by the reference implementation through PyTorch
    /// (or numpy when torch is missing): same names, shapes, sums and metadata.
    func testPythonReadsSwiftWrittenFile() throws {
        guard let probe = try runPython(["-c", "import safetensors"]), probe.status == 0 else {
            throw XCTSkip("python3 with the safetensors package is not available; cannot check interoperability")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("swift.safetensors").path
        var st = sample()
        st.tensors["layers.1.weight"] = .init(shape: [4, 5], values: (0..<20).map { Float($0) * 0.37 - 3 })
        st.tensors["big"] = .init(shape: [16, 64], values: (0..<1024).map { sin(Float($0)) })
        try st.write(to: path)

        let script = Self.repoRoot.appendingPathComponent("scripts/torch_interop.py").path
        let result = try XCTUnwrap(try runPython([script, "read", path]))
        if result.status == 77 { throw XCTSkip("neither torch nor numpy is usable: \(result.stderr)") }
        XCTAssertEqual(result.status, 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        if result.stderr.contains("falling back to numpy") {
            print("note: torch unavailable; the numpy path of safetensors read the file")
        }

        var seen = Set<String>()
        var sawMetadata = false
        for line in result.stdout.split(separator: "\n").map(String.init) {
            if line.hasPrefix("tensor ") {
                let rest = line.dropFirst("tensor ".count)
                let shapeRange = try XCTUnwrap(rest.range(of: " shape=", options: .backwards))
                let name = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(rest[..<shapeRange.lowerBound].utf8),
                                                                      options: .fragmentsAllowed) as? String)
                let fields = rest[shapeRange.upperBound...].split(separator: " ")
                XCTAssertEqual(fields.count, 3, line)
                let shape = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fields[0].utf8)) as? [Int])
                XCTAssertEqual(fields[1], "dtype=float32", line)
                let sum = try XCTUnwrap(Double(fields[2].dropFirst("sum=".count)), line)
                let t = try XCTUnwrap(st.tensors[name], "python printed unknown tensor \(name)")
                XCTAssertEqual(shape, t.shape, name)
                let ours = t.values.reduce(0.0) { $0 + Double($1) }
                let scale = t.values.reduce(0.0) { $0 + abs(Double($1)) }
                XCTAssertEqual(sum, ours, accuracy: 1e-12 * scale + 1e-300, name)
                seen.insert(name)
            } else if line.hasPrefix("metadata ") {
                let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.dropFirst("metadata ".count).utf8)) as? [String: String])
                XCTAssertEqual(json, st.metadata)
                sawMetadata = true
            }
        }
        XCTAssertEqual(seen, Set(st.tensors.keys))
        XCTAssertTrue(sawMetadata)
        XCTAssertTrue(result.stdout.hasSuffix("ok\n"))
    }
}
