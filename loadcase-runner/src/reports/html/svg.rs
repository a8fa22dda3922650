//! Drawing primitives for the report's plots: a panel that maps data to SVG coordinates, with
//! its grid, tick labels, lines with gaps, bands and a legend.
//!
//! Colours and strokes are CSS classes (see `style.rs`) so that the markup stays small and the
//! look is decided in one place. Coordinates are written with one decimal: a tenth of a
//! viewBox unit is below a pixel at any sensible zoom, and it halves the size of long paths.

use std::fmt::Write;

use crate::text::format::escape_xml as escape;

/// A rectangle of the SVG drawing that shows data in `x` × `y` (data units).
#[derive(Clone, Debug)]
pub struct Panel {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// A tick: where, and what it says.
pub type Tick = (f64, String);

impl Panel {
    /// The SVG x of data value `v`.
    pub fn px(&self, v: f64) -> f64 {
        let span = self.x.1 - self.x.0;
        let f = if span > 0.0 {
            (v - self.x.0) / span
        } else {
            0.5
        };
        self.left + f.clamp(0.0, 1.0) * self.width
    }

    /// The SVG y of data value `v` (up is larger).
    pub fn py(&self, v: f64) -> f64 {
        let span = self.y.1 - self.y.0;
        let f = if span > 0.0 {
            (v - self.y.0) / span
        } else {
            0.0
        };
        self.top + self.height - f.clamp(0.0, 1.0) * self.height
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    /// Grid lines with their labels, the y axis title rotated along the left edge, and the
    /// x labels only when asked: stacked panels share the bottom one's.
    pub fn grid(&self, out: &mut String, x: &[Tick], y: &[Tick], y_title: &str, x_labels: bool) {
        out.push_str("<g class=\"grid\">");
        for (v, _) in y {
            let py = self.py(*v);
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\"/>",
                self.left,
                self.right()
            );
        }
        for (v, _) in x {
            let px = self.px(*v);
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\"/>",
                self.top,
                self.bottom()
            );
        }
        out.push_str("</g><g class=\"tick y\">");
        for (v, label) in y {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                self.left - 8.0,
                self.py(*v) + 4.0,
                escape(label)
            );
        }
        out.push_str("</g>");
        if x_labels {
            out.push_str("<g class=\"tick x\">");
            for (v, label) in x {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    self.px(*v),
                    self.bottom() + 18.0,
                    escape(label)
                );
            }
            out.push_str("</g>");
        }
        let _ = write!(
            out,
            "<line class=\"axis\" x1=\"{l:.1}\" y1=\"{b:.1}\" x2=\"{r:.1}\" y2=\"{b:.1}\"/>\
             <text class=\"axis-title\" transform=\"translate({tx:.1} {ty:.1}) rotate(-90)\">{}</text>",
            escape(y_title),
            l = self.left,
            r = self.right(),
            b = self.bottom(),
            tx = self.left - 52.0,
            ty = self.top + self.height / 2.0,
        );
    }

    /// The x axis title, centred under the panel.
    pub fn x_title(&self, out: &mut String, title: &str) {
        let _ = write!(
            out,
            "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            self.left + self.width / 2.0,
            self.bottom() + 40.0,
            escape(title)
        );
    }

    /// A line through `points`, broken where a value is missing. A point alone between gaps
    /// is drawn as a zero-length segment, which round line caps show as a dot.
    pub fn line(&self, out: &mut String, class: &str, points: &[(f64, Option<f64>)]) {
        let mut d = String::new();
        for run in runs(points) {
            for (i, (x, y)) in run.iter().enumerate() {
                let cmd = if i == 0 { 'M' } else { 'L' };
                let _ = write!(d, "{cmd}{:.1} {:.1}", self.px(*x), self.py(*y));
            }
            if run.len() == 1 {
                d.push_str("l0 0");
            }
        }
        if !d.is_empty() {
            let _ = write!(out, "<path class=\"{class}\" d=\"{d}\"/>");
        }
    }

    /// A disc on each point of `points` that stands alone between gaps: [`line`](Self::line)
    /// draws it as a dot no wider than the line, which a run of one second (or less) would show
    /// as a speck.
    pub fn dots(&self, out: &mut String, class: &str, points: &[(f64, Option<f64>)]) {
        for run in runs(points).iter().filter(|run| run.len() == 1) {
            let (x, y) = run[0];
            let _ = write!(
                out,
                "<circle class=\"{class} dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"/>",
                self.px(x),
                self.py(y)
            );
        }
    }

    /// A filled band between `lower` and `upper` at each x, broken where either is missing.
    pub fn band(&self, out: &mut String, class: &str, points: &[(f64, Option<(f64, f64)>)]) {
        let mut d = String::new();
        let mut start = 0;
        while start < points.len() {
            let len = points[start..]
                .iter()
                .take_while(|(_, v)| v.is_some())
                .count();
            if len == 0 {
                start += 1;
                continue;
            }
            let run: Vec<(f64, (f64, f64))> = points[start..start + len]
                .iter()
                .map(|(x, v)| (*x, v.expect("counted as present")))
                .collect();
            for (i, (x, (_, hi))) in run.iter().enumerate() {
                let cmd = if i == 0 { 'M' } else { 'L' };
                let _ = write!(d, "{cmd}{:.1} {:.1}", self.px(*x), self.py(*hi));
            }
            for (x, (lo, _)) in run.iter().rev() {
                let _ = write!(d, "L{:.1} {:.1}", self.px(*x), self.py(*lo));
            }
            d.push('Z');
            start += len;
        }
        if !d.is_empty() {
            let _ = write!(out, "<path class=\"{class}\" d=\"{d}\"/>");
        }
    }
}

/// The runs of consecutive present points.
fn runs(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for (x, y) in points {
        match y {
            Some(y) => run.push((*x, *y)),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Transparent columns over a plot, `(x from, x to, text)` in SVG units between `top` and
/// `bottom`, each with a `<title>` that a browser shows on hover: the exact values behind a
/// point, without a script.
pub fn hover(out: &mut String, top: f64, bottom: f64, columns: &[(f64, f64, String)]) {
    out.push_str("<g class=\"hover\">");
    for (x0, x1, text) in columns {
        let _ = write!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
             <title>{}</title></rect>",
            (x1 - x0).max(0.5),
            bottom - top,
            escape(text)
        );
    }
    out.push_str("</g>");
}

/// How a legend entry is drawn.
pub enum Key {
    Line,
    Swatch,
}

/// A row of legend entries, right-aligned to `right` at height `y`: `(class, label, key)`.
pub fn legend(out: &mut String, right: f64, y: f64, items: &[(&str, &str, Key)]) {
    // Widths are estimated (no text metrics in SVG without script): 7 units a character at
    // the legend's 12 px font is generous enough that labels never overlap.
    let widths: Vec<f64> = items
        .iter()
        .map(|(_, label, _)| 40.0 + 7.0 * label.chars().count() as f64)
        .collect();
    let mut x = right - widths.iter().sum::<f64>();
    out.push_str("<g class=\"legend\">");
    for ((class, label, key), w) in items.iter().zip(&widths) {
        match key {
            Key::Line => {
                let _ = write!(out, "<path class=\"{class}\" d=\"M{:.1} {y:.1}h18\"/>", x);
            }
            Key::Swatch => {
                let _ = write!(
                    out,
                    "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"18\" height=\"10\" rx=\"2\"/>",
                    x,
                    y - 5.0
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 24.0,
            y + 4.0,
            escape(label)
        );
        x += w;
    }
    out.push_str("</g>");
}

/// About `target` round ticks from 0 up to at least `max`: steps of 1, 2 or 5 × 10ⁿ. Returns
/// the ticks and the top of the axis (the last tick), which is never below `max`.
pub fn ticks(max: f64, target: usize) -> (Vec<f64>, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / target.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    let n = (max / step - 1e-9).ceil().max(1.0) as usize;
    let ticks = (0..=n).map(|i| i as f64 * step).collect();
    (ticks, n as f64 * step)
}

/// A tick label without noise digits: `0`, `2.5`, `1000`, `0.05`.
pub fn number(v: f64) -> String {
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Ticks for a time axis of `secs` seconds, at steps a person counts in (10 s, 1 min, 15 min),
/// labelled `45s`, `2:30` or `1:15:00`.
pub fn time_ticks(secs: f64, target: usize) -> Vec<Tick> {
    const STEPS: [f64; 17] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        14400.0, 21600.0, 43200.0,
    ];
    let secs = secs.max(1.0);
    let rough = secs / target.max(1) as f64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s >= rough)
        .unwrap_or(86400.0);
    let n = (secs / step + 1e-9).floor() as usize;
    (0..=n)
        .map(|i| {
            let t = i as f64 * step;
            (t, clock(t, secs))
        })
        .collect()
}

/// Time `t` as labelled on an axis spanning `span` seconds.
pub fn clock(t: f64, span: f64) -> String {
    let t = t.round() as u64;
    if span < 120.0 {
        format!("{t}s")
    } else if span < 3600.0 * 2.0 {
        format!("{}:{:02}", t / 60, t % 60)
    } else {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(
            ticks(87.0, 5),
            (vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0], 100.0)
        );
        assert_eq!(ticks(0.0, 5).1, 1.0);
        let (t, top) = ticks(1234.0, 4);
        assert!(top >= 1234.0 && t.len() <= 6, "{t:?}");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1000.0), "1000");
    }

    #[test]
    fn time_ticks_count_in_human_steps() {
        let labels =
            |secs, n| -> Vec<String> { time_ticks(secs, n).into_iter().map(|(_, l)| l).collect() };
        assert_eq!(
            labels(60.0, 6),
            ["0s", "10s", "20s", "30s", "40s", "50s", "60s"]
        );
        assert_eq!(labels(3600.0, 4)[1], "15:00");
        assert_eq!(labels(3.0 * 3600.0, 3)[1], "1:00:00");
    }

    #[test]
    fn gaps_split_lines_and_lone_points_become_dots() {
        let p = Panel {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 100.0,
            x: (0.0, 10.0),
            y: (0.0, 10.0),
        };
        let mut out = String::new();
        let points = [
            (0.0, Some(0.0)),
            (1.0, Some(10.0)),
            (2.0, None),
            (3.0, Some(5.0)),
        ];
        p.line(&mut out, "l", &points);
        assert_eq!(
            out,
            "<path class=\"l\" d=\"M0.0 100.0L10.0 0.0M30.0 50.0l0 0\"/>"
        );
        // The lone point gets a disc besides; the run of two none.
        let mut dots = String::new();
        p.dots(&mut dots, "l", &points);
        assert_eq!(
            dots,
            "<circle class=\"l dot\" cx=\"30.0\" cy=\"50.0\" r=\"2.5\"/>"
        );
    }
}
