import Foundation
import XCTest
import Numerics

/// Duplicate JSON keys, found by hand-written documents (the oracle is the document itself).
final class JSONKeysTests: XCTestCase {
    func testFindsTheFirstDuplicateWithItsPath() {
        func first(_ s: String) -> String? { JSONKeys.firstDuplicate(in: Data(s.utf8)) }
        XCTAssertNil(first(#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#), "equal keys in different objects are fine")
        XCTAssertEqual(first(#"{"a": 1, "a": 2}"#), "a")
        XCTAssertEqual(first(#"{"x": {"rows": {"value": 1}, "rows": {"value": 2}}}"#), "x.rows")
        XCTAssertEqual(first(#"{"layers": [{"i": 1}, {"i": 2, "i": 3}]}"#), "layers[1].i")
        XCTAssertEqual(first(#"{"s": "a,\"}\"", "t": [1, 2.5e3, true, null], "t": 0}"#), "t", "strings with quotes and braces")
        XCTAssertEqual(first(#"{"k\"": 1, "k\"": 2}"#), #"k\""#)
        XCTAssertNil(first(#"{"a": "#), "malformed: left to the parser")
        XCTAssertNil(first("[]"))
        XCTAssertNil(first("{}"))
    }
}
