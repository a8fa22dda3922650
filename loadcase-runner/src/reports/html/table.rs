//! The report's wide tables of figures (requests, the tests of a mix): one shape for both.

use maud::{Markup, html};

/// A wide table of figures, scrolled sideways when the page is narrow: a row of column groups
/// (`(span, title)`, an empty title for none) over the columns' names, the first of which names
/// the rows.
pub fn number_table(
    id: &str,
    groups: &[(usize, &str)],
    columns: &[&str],
    body: Markup,
    foot: Option<Markup>,
) -> Markup {
    let (first, rest) = columns.split_first().expect("a table has a column");
    html! {
        div.scroll {
            table id=(id) class="numbers" {
                thead {
                    tr.group {
                        @for (span, title) in groups {
                            th colspan=(span) { (title) }
                        }
                    }
                    tr {
                        th.name { (first) }
                        @for name in rest {
                            th { (name) }
                        }
                    }
                }
                tbody { (body) }
                @if let Some(foot) = foot {
                    tfoot { (foot) }
                }
            }
        }
    }
}
