import Foundation

/// One data series of an x-y chart.
public struct Series: Sendable {
    public enum Style: Sendable { case dots, line, lineAndDots }
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var color: String
    public var style: Style
    public var radius: Double

    public init(_ name: String, _ points: [(x: Double, y: Double)], color: String, style: Style = .dots, radius: Double = 3) {
        self.name = name
        self.points = points
        self.color = color
        self.style = style
        self.radius = radius
    }
}

/// Self-contained SVG charts (no scripts, no external fonts): x-y plots of dots and lines, and
/// stacked bars. Fixed size and fixed number formatting, so the same data give the same bytes.
public enum Chart {
    public static let width = 680.0, height = 400.0
    static let left = 78.0, top = 42.0, bottom = 62.0

    /// A fixed palette, in order (colour-blind-safe Okabe-Ito, then greys).
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#666666", "#8C564B"]

    /// An x-y chart. `categories` labels x = 0, 1, 2 ... instead of numeric ticks.
    public static func xy(title: String, xLabel: String, yLabel: String, series: [Series], xLog: Bool = false, yLog: Bool = false,
                          categories: [String]? = nil, yIncludesZero: Bool = false) -> String {
        let right = series.count > 1 ? 170.0 : 24.0
        let (x0, x1, y0, y1) = (left, width - right, height - bottom, top)
        let all = series.flatMap(\.points)
        var xs = Scale(covering: all.map(\.x), logarithmic: xLog, count: 6)
        if let c = categories { xs = Scale(lo: -0.5, hi: Double(c.count) - 0.5, logarithmic: false, ticks: c.indices.map(Double.init)) }
        let ys = Scale(covering: all.map(\.y), logarithmic: yLog, count: 5, includeZero: yIncludesZero)
        var s = header(title)
        s += axes(xs: xs, ys: ys, x0: x0, x1: x1, y0: y0, y1: y1, xLabel: xLabel, yLabel: yLabel, categories: categories)
        for (k, se) in series.enumerated() {
            let pts = se.points.filter { $0.x.isFinite && $0.y.isFinite && (!xs.logarithmic || $0.x > 0) && (!ys.logarithmic || $0.y > 0) }
                .map { (f(xs.pixel($0.x, x0, x1)), f(ys.pixel($0.y, y0, y1))) }
            if se.style != .dots && pts.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(se.color)\" stroke-width=\"2\" points=\"" + pts.map { "\($0.0),\($0.1)" }.joined(separator: " ") + "\"/>\n"
            }
            if se.style != .line {
                s += "<g fill=\"\(se.color)\" fill-opacity=\"0.75\">" + pts.map { "<circle cx=\"\($0.0)\" cy=\"\($0.1)\" r=\"\(f(se.radius))\"/>" }.joined() + "</g>\n"
            }
            if series.count > 1 { s += legendEntry(k, se.name, se.color, x: x1 + 14) }
        }
        return s + "</svg>\n"
    }

    /// Bars of stacked parts: `stacks[j].values[i]` is part j of bar i.
    public static func stackedBars(title: String, yLabel: String, categories: [String], stacks: [(name: String, values: [Double])]) -> String {
        let right = stacks.count > 1 ? 170.0 : 24.0
        let (x0, x1, y0, y1) = (left, width - right, height - bottom, top)
        let totals = categories.indices.map { i in stacks.reduce(0.0) { $0 + max(0, $1.values[i]) } }
        let ys = Scale(covering: totals + [0], count: 5, includeZero: true)
        let xs = Scale(lo: -0.5, hi: Double(categories.count) - 0.5, logarithmic: false, ticks: categories.indices.map(Double.init))
        var s = header(title)
        s += axes(xs: xs, ys: ys, x0: x0, x1: x1, y0: y0, y1: y1, xLabel: "", yLabel: yLabel, categories: categories)
        let band = (x1 - x0) / Double(max(1, categories.count)), w = band * 0.7
        for i in categories.indices {
            var base = 0.0
            let cx = xs.pixel(Double(i), x0, x1)
            for (j, st) in stacks.enumerated() where st.values[i] > 0 {
                let top = ys.pixel(base + st.values[i], y0, y1), bot = ys.pixel(base, y0, y1)
                s += "<rect x=\"\(f(cx - w / 2))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(max(0, bot - top)))\" fill=\"\(palette[j % palette.count])\"><title>\(escape(categories[i])): \(escape(st.name)) \(Scale.label(st.values[i]))</title></rect>"
                base += st.values[i]
            }
            s += "\n"
        }
        if stacks.count > 1 { for (j, st) in stacks.enumerated() { s += legendEntry(j, st.name, palette[j % palette.count], x: x1 + 14) } }
        return s + "</svg>\n"
    }

    static func header(_ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>\n"
    }

    static func axes(xs: Scale, ys: Scale, x0: Double, x1: Double, y0: Double, y1: Double, xLabel: String, yLabel: String, categories: [String]?) -> String {
        var s = "<g stroke=\"#ddd\">"
        for t in ys.ticks { let y = f(ys.pixel(t, y0, y1)); s += "<line x1=\"\(f(x0))\" y1=\"\(y)\" x2=\"\(f(x1))\" y2=\"\(y)\"/>" }
        if categories == nil { for t in xs.ticks { let x = f(xs.pixel(t, x0, x1)); s += "<line x1=\"\(x)\" y1=\"\(f(y0))\" x2=\"\(x)\" y2=\"\(f(y1))\"/>" } }
        s += "</g>\n<g stroke=\"#333\"><line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y0))\"/><line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x0))\" y2=\"\(f(y1))\"/></g>\n"
        s += "<g text-anchor=\"end\">"
        for t in ys.ticks { s += "<text x=\"\(f(x0 - 6))\" y=\"\(f(ys.pixel(t, y0, y1) + 4))\">\(Scale.label(t))</text>" }
        s += "</g>\n<g text-anchor=\"middle\">"
        let many = (categories?.count ?? 0) > 12
        for (i, t) in xs.ticks.enumerated() {
            let text = categories.map { $0[i] } ?? Scale.label(t)
            let x = f(xs.pixel(t, x0, x1))
            s += many ? "<text x=\"\(x)\" y=\"\(f(y0 + 14))\" transform=\"rotate(-45 \(x) \(f(y0 + 14)))\" text-anchor=\"end\">\(escape(text))</text>"
                : "<text x=\"\(x)\" y=\"\(f(y0 + 18))\">\(escape(text))</text>"
        }
        s += "</g>\n"
        if !xLabel.isEmpty { s += "<text x=\"\(f((x0 + x1) / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n" }
        s += "<text x=\"16\" y=\"\(f((y0 + y1) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((y0 + y1) / 2)))\">\(escape(yLabel))</text>\n"
        return s
    }

    static func legendEntry(_ k: Int, _ name: String, _ color: String, x: Double) -> String {
        let y = top + 8 + Double(k) * 18
        return "<rect x=\"\(f(x))\" y=\"\(f(y - 9))\" width=\"12\" height=\"12\" fill=\"\(color)\"/><text x=\"\(f(x + 18))\" y=\"\(f(y + 1))\">\(escape(name))</text>\n"
    }

    /// Coordinates to a tenth of a pixel.
    static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// Text for XML: &, <, > and quotes escaped.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension Scale {
    /// A scale with the domain and ticks given (categorical axes).
    public init(lo: Double, hi: Double, logarithmic: Bool, ticks: [Double]) {
        self.lo = lo
        self.hi = hi
        self.logarithmic = logarithmic
        self.ticks = ticks
    }
}
