//! A draft's markdown cut into the blocks that are checked: each top-level paragraph,
//! heading, list, quote or table, by its byte range in the text. Code blocks, raw HTML
//! and front matter are left out whole; inside a block, inline code, URLs and link
//! targets are left to harper's markdown parser, which does not check them.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// The byte ranges of the blocks of `markdown` that hold prose, in order.
pub fn prose_blocks(markdown: &str) -> Vec<Range<usize>> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 && is_prose(&tag) {
                    blocks.push(range);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    blocks
}

fn is_prose(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Table(_)
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(markdown: &str) -> Vec<&str> {
        prose_blocks(markdown)
            .into_iter()
            .map(|r| markdown[r].trim_end())
            .collect()
    }

    #[test]
    fn prose_blocks_are_found_and_code_html_and_front_matter_are_not() {
        let markdown = "---\ntitle: Teh draft\n---\n\n# A headng\n\nFirst paragraf.\n\n\
                        ```\nlet teh = 1;\n\n\nstill code\n```\n\n<div>raw teh</div>\n\n\
                        - one\n- two\n\n> quoted\n\n    indented code\n\nLast one.";
        assert_eq!(
            texts(markdown),
            [
                "# A headng",
                "First paragraf.",
                "- one\n- two",
                "> quoted",
                "Last one."
            ]
        );
    }
}
