//! The page's stylesheet, inline so the file stands alone. System fonts only: a web font would
//! be a download, and the report must open offline exactly as it was made.

/// Layout, tables and the plots' colours (the SVG markup carries only class names).
pub const CSS: &str = r#"
:root {
  --bg: #f4f6f9; --card: #fff; --ink: #1b2433; --muted: #667085; --line: #e4e8ee;
  --blue: #2563eb; --amber: #d97706; --red: #dc2626; --green: #16a34a; --violet: #7c3aed;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1200px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 24px; margin: 2px 0 10px; word-break: break-word; }
h2 { font-size: 15px; margin: 0 0 6px; letter-spacing: .01em; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.top { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; margin-bottom: 18px; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; font-size: 11px; letter-spacing: .12em; font-weight: 600; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.meta dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .08em; }
.meta dd { margin: 0; font-weight: 500; }
.verdict { text-align: right; flex-shrink: 0; padding-top: 6px; }
.badge {
  display: inline-block; padding: 6px 16px; border-radius: 999px; color: #fff;
  font-weight: 700; font-size: 15px; letter-spacing: .04em; text-transform: uppercase;
}
.verdict .reasons { display: block; margin-top: 6px; color: var(--muted); font-size: 12.5px; }
.verdict.pass .badge { background: var(--green); }
.verdict.fail .badge { background: var(--red); }
.verdict.none .badge { background: #98a2b3; }
.banner {
  background: #fff7e6; border: 1px solid #f5c46b; color: #7a4b00; border-radius: 8px;
  padding: 10px 14px; margin-bottom: 16px;
}
.card, .figure {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .04);
}
.card { padding: 16px 18px; margin-bottom: 16px; }
.caption { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; max-width: 90ch; }
.empty { color: var(--muted); margin: 4px 0; }
.empty.good { color: var(--green); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(132px, 1fr)); gap: 12px; margin-bottom: 16px; }
.figure { padding: 12px 14px; }
.figure .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .08em; font-weight: 600; }
.figure .value { font-size: 22px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; white-space: nowrap; }
.figure .note { color: var(--muted); font-size: 11.5px; }
.figure.bad .value { color: var(--red); }
.figure .rate { font-size: 19px; font-weight: 650; line-height: 1.3; white-space: nowrap; font-variant-numeric: tabular-nums; }
.figure .rate .of { font-size: 11.5px; font-weight: 400; color: var(--muted); }
.figure .rate.bad .num { color: var(--red); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; }
th, td { padding: 6px 7px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
tbody tr:last-child td { border-bottom: none; }
.scroll { overflow-x: auto; }
table.numbers th, table.numbers td { text-align: right; white-space: nowrap; }
table.numbers .name { text-align: left; white-space: normal; word-break: break-all; min-width: 140px; }
table.numbers { font-size: 13px; }
table.numbers tr.group th { text-align: center; border-bottom: 2px solid var(--line); padding-bottom: 2px; }
table.numbers tr.group th:empty { border-bottom: none; }
table.numbers tbody tr:nth-child(even) { background: #fafbfc; }
table.numbers tfoot td { font-weight: 650; border-top: 2px solid #cfd5dd; border-bottom: none; }
td.bad { color: var(--red); }
td.num { text-align: right; white-space: nowrap; }
.thresholds { width: auto; min-width: 50%; }
.thresholds td.mark { font-weight: 700; font-size: 16px; text-align: center; width: 28px; }
.thresholds tr.pass td.mark { color: var(--green); }
.thresholds tr.fail td.mark { color: var(--red); }
.thresholds tr.fail td { background: #fef3f2; }
.trio { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
.code { display: inline-block; min-width: 40px; text-align: center; border-radius: 4px; padding: 0 6px; font-weight: 600; font-size: 12.5px; }
.code.c2 { background: #dcfce7; color: #166534; } .code.c3 { background: #e0f2fe; color: #075985; }
.code.c4 { background: #fef3c7; color: #92400e; } .code.c5, .code.c1 { background: #fee2e2; color: #991b1b; }
td.bar { width: 45%; }
td.bar span { display: block; height: 8px; border-radius: 4px; margin-top: 6px; background: var(--green); }
td.bar span.c3 { background: #0ea5e9; } td.bar span.c4 { background: var(--amber); } td.bar span.c5, td.bar span.c1 { background: var(--red); }
td.share { color: var(--muted); }
.kind { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
.kind.failure { background: #fef3c7; color: #92400e; }
.kind.error { background: #fee2e2; color: #991b1b; }
.problems pre {
  margin: 0 0 4px; white-space: pre-wrap; word-break: break-word; background: #f8fafc;
  border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; max-height: 16em; overflow: auto;
}
.problems .location { color: var(--muted); }
svg.plot .readout { fill: var(--ink); text-anchor: end; font-variant-numeric: tabular-nums; }
svg.plot .readout .head, svg.plot .readout .value { font-weight: 650; }
svg.plot .hover rect { fill: transparent; }
svg.plot .hover rect:hover { fill: rgba(16, 24, 40, .06); }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
svg.plot { display: block; width: 100%; height: auto; overflow: visible; }
svg.plot text { font-size: 12px; fill: var(--muted); font-family: inherit; }
svg.plot .grid line { stroke: #edf0f4; stroke-width: 1; }
svg.plot .axis { stroke: #98a2b3; stroke-width: 1; }
svg.plot .tick.y text { text-anchor: end; }
svg.plot .tick.x text { text-anchor: middle; }
svg.plot .axis-title { text-anchor: middle; font-size: 12px; fill: var(--ink); }
svg.plot .no-data { text-anchor: middle; font-size: 14px; }
svg.plot .legend text { fill: var(--ink); }
svg.plot .data, svg.plot .legend path { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
svg.plot .dot { stroke-width: 4; }
svg.plot .band { fill: var(--blue); fill-opacity: .13; stroke: none; }
svg.plot .p50 { stroke: var(--blue); }
svg.plot .p95 { stroke: var(--amber); }
svg.plot .p99 { stroke: var(--red); }
svg.plot .rps { stroke: var(--blue); }
svg.plot .rps-area { fill: var(--blue); fill-opacity: .12; }
svg.plot .err { stroke: var(--red); }
svg.plot .err-area { fill: var(--red); fill-opacity: .25; }
svg.plot .rug { stroke: var(--red); stroke-width: 5; fill: none; }
svg.plot .users { stroke: var(--violet); }
svg.plot .users-area { fill: var(--violet); fill-opacity: .10; }
svg.plot .all { stroke: var(--ink); stroke-width: 2.6; }
svg.plot .mark { fill: var(--ink); stroke: #fff; stroke-width: 1.5; }
svg.plot .mark-label { text-anchor: end; fill: var(--ink); font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.s0 { stroke: var(--blue); background: var(--blue); } .s1 { stroke: var(--amber); background: var(--amber); }
.s2 { stroke: var(--green); background: var(--green); } .s3 { stroke: var(--violet); background: var(--violet); }
.s4 { stroke: #db2777; background: #db2777; } .s5 { stroke: #0891b2; background: #0891b2; }
.legend-list { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 8px 0 0 76px; font-size: 12.5px; }
.legend-list li { display: flex; align-items: center; gap: 6px; word-break: break-all; }
.key { display: inline-block; width: 18px; height: 3px; border-radius: 2px; flex-shrink: 0; }
.key.all { background: var(--ink); height: 4px; }
@media (max-width: 720px) { .top { flex-direction: column; } .verdict { text-align: left; } }
"#;
