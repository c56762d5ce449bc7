//! HTML helpers for the report: graphviz SVG cut down to the `<svg>` element so it
//! can sit inline in a page. (Escaping is the report's template engine's job.)

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
    fn the_svg_element_is_cut_out_of_the_document() {
        let doc =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg width=\"1\">\n<g/></svg>\n";
        assert_eq!(svg_element(doc), Some("<svg width=\"1\">\n<g/></svg>"));
        assert_eq!(svg_element("no svg here"), None);
    }
}
