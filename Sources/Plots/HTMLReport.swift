import Foundation

/// A self-contained HTML report: headline tables and inline SVG figures, no external files,
/// fonts or scripts beyond one inline check. That check counts the figures the browser laid out
/// (an SVG whose bounding box has a width) and writes "rendered N of M" into the page and into
/// `<body data-rendered="N/M">`, which scripts/check-report.sh reads from Chromium's DOM dump.
public struct HTMLReport {
    public var title: String
    var body: [String] = []

    public init(title: String, subtitle: String = "") {
        self.title = title
        if !subtitle.isEmpty { body.append("<p class=\"sub\">\(Chart.escape(subtitle))</p>") }
    }

    public mutating func heading(_ text: String) { body.append("<h2>\(Chart.escape(text))</h2>") }

    public mutating func paragraph(_ text: String) { body.append("<p>\(Chart.escape(text))</p>") }

    /// A table; `marked[i]` rows are highlighted (for example the Pareto front).
    public mutating func table(_ headers: [String], _ rows: [[String]], marked: [Bool] = [], numericFrom: Int = 1) {
        var s = "<div class=\"wide\"><table><thead><tr>" + headers.map { "<th>\(Chart.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for (i, r) in rows.enumerated() {
            s += (i < marked.count && marked[i] ? "<tr class=\"mark\">" : "<tr>")
                + r.enumerated().map { j, c in j >= numericFrom ? "<td class=\"n\">\(Chart.escape(c))</td>" : "<td>\(Chart.escape(c))</td>" }.joined() + "</tr>\n"
        }
        body.append(s + "</tbody></table></div>")
    }

    public mutating func figure(_ svg: String, caption: String) {
        body.append("<figure>\(svg)<figcaption>\(Chart.escape(caption))</figcaption></figure>")
    }

    public func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(Chart.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 16px; color: #222; }
        .wide { overflow-x: auto; max-width: 100%; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } .sub { color: #555; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; } th { background: #f0f0f0; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.mark td { background: #fff3cd; font-weight: bold; }
        figure { display: inline-block; margin: 8px 8px 8px 0; vertical-align: top; }
        figcaption { font-size: 12px; color: #555; max-width: 680px; }
        #render-check { color: #888; font-size: 11px; }
        </style></head>
        <body>
        <h1>\(Chart.escape(title))</h1>
        \(body.joined(separator: "\n"))
        <p id="render-check">figures not checked (scripts off)</p>
        <script>
        (function () {
          var svgs = document.querySelectorAll("figure svg"), ok = 0;
          for (var i = 0; i < svgs.length; i++) { var b = svgs[i].getBBox(); if (b.width > 0 && b.height > 0) ok++; }
          document.body.setAttribute("data-rendered", ok + "/" + svgs.length);
          document.getElementById("render-check").textContent = "rendered " + ok + " of " + svgs.length + " figures";
        })();
        </script>
        </body></html>

        """
    }
}
