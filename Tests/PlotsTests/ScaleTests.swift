import XCTest
@testable import Plots

/// Scales and charts against values worked by hand.
final class ScaleTests: XCTestCase {
    func testNiceLinearTicks() {
        // 3...97 over about 5 ticks: raw step 18.8 -> 20; domain 0...100.
        let s = Scale(covering: [3, 97], count: 5)
        XCTAssertEqual(s.ticks, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(s.pixel(50, 0, 200), 100, accuracy: 1e-12)
        XCTAssertEqual(Scale.niceStep(0.031), 0.05)
        XCTAssertEqual(Scale.niceStep(7), 10)
        XCTAssertEqual(Scale.niceStep(1.5), 2)
    }

    func testLogTicks() {
        // 3...4000 spans 1...10^4: 4 decades, so powers of ten only; 100 sits half way.
        let s = Scale(covering: [3, 4000], logarithmic: true)
        XCTAssertTrue(s.logarithmic)
        XCTAssertEqual(s.ticks, [1, 10, 100, 1000, 10000])
        XCTAssertEqual(s.pixel(100, 0, 400), 200, accuracy: 1e-9)
        // A non-positive value falls back to linear.
        XCTAssertFalse(Scale(covering: [0, 10], logarithmic: true).logarithmic)
    }

    func testLabels() {
        XCTAssertEqual(Scale.label(0.25), "0.25")
        XCTAssertEqual(Scale.label(40), "40")
        XCTAssertEqual(Scale.label(1e6), "1e6")
        XCTAssertEqual(Scale.label(0.0001), "1e-4")
    }

    func testScatterPlacesPointsWhereTheScalesSay() {
        // x 0...10 (ticks 0, 2, ..., 10) onto pixels 78...656 (single series: right margin 24);
        // y 0...100 onto 338...42. The point (5, 50) is at (367, 190).
        let svg = Chart.xy(title: "t", xLabel: "x", yLabel: "y", series: [Series("a", [(0, 0), (5, 50), (10, 100)], color: "#000")])
        XCTAssertTrue(svg.contains("<circle cx=\"367\" cy=\"190\" r=\"3\"/>"), svg)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testStackedBarsStackInOrder() {
        // One bar of 30 + 70 = 100 on a 0...100 axis (338 -> 42 px): the first part spans
        // 338 -> 249.2 (30% of 296 px), the second continues to 42.
        let svg = Chart.stackedBars(title: "e", yLabel: "nJ", categories: ["p"], stacks: [("adc", [30]), ("array", [70])])
        XCTAssertTrue(svg.contains("y=\"249.2\""), svg)
        XCTAssertTrue(svg.contains("y=\"42\""), svg)
        XCTAssertTrue(svg.contains("<title>p: adc 30</title>"))
    }

    func testEscaping() {
        XCTAssertEqual(Chart.escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;")
        let html = HTMLReport(title: "x < y").html()
        XCTAssertTrue(html.contains("<title>x &lt; y</title>"))
        XCTAssertTrue(html.contains("data-rendered"))
    }
}
