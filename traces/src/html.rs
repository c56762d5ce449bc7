//! HTML helpers for the report: escaping, and graphviz SVG cut down to the `<svg>`
//! element so it can sit inline in a page.

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<svg ...>...</svg>` element of an SVG document (graphviz writes an XML
/// declaration, a DOCTYPE and comments before it, which do not belong inside HTML);
/// `None` if there is none.
pub fn svg_element(svg: &str) -> Option<&str> {
    let start = svg.find("<svg")?;
    let end = svg.rfind("</svg>")? + "</svg>".len();
    (start < end).then(|| &svg[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            html_escape(r#"<a href="x">T0 & 'T1'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;T0 &amp; &#39;T1&#39;&lt;/a&gt;"
        );
        assert_eq!(html_escape("back\\slash\nnewline"), "back\\slash\nnewline");
    }

    #[test]
    fn the_svg_element_is_cut_out_of_the_document() {
        let doc =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg width=\"1\">\n<g/></svg>\n";
        assert_eq!(svg_element(doc), Some("<svg width=\"1\">\n<g/></svg>"));
        assert_eq!(svg_element("no svg here"), None);
    }
}
