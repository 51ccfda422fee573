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

/// A block cut into its sentences (byte ranges within `block`, covering it all), so a
/// keystroke has only its sentence checked again. A sentence ends at `.`, `!` or `?`
/// (and any closing quotes or brackets) followed by a space and a capital letter, or a
/// line break; never inside inline code, a link or brackets, after an initial ("J.
/// Smith") or a title ("Dr. Ada"), so no sentence is cut where a rule would see half of
/// it.
pub fn sentences(block: &str) -> Vec<Range<usize>> {
    const TITLES: [&str; 8] = ["Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Sr", "Jr"];
    let mut out = Vec::new();
    let mut start = 0;
    let (mut code, mut depth) = (false, 0usize);
    let chars: Vec<(usize, char)> = block.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        match c {
            '`' => code = !code,
            '[' | '(' if !code => depth += 1,
            ']' | ')' if !code => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if !code && depth == 0 => {
                // Closing quotes and brackets belong to the sentence.
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j].1, '"' | '\'' | '”' | '’' | '»' | '*' | '_')
                {
                    j += 1;
                }
                let spaced = j < chars.len() && chars[j].1 == ' ';
                let mut k = j;
                while k < chars.len() && chars[k].1 == ' ' {
                    k += 1;
                }
                let next_capital = k < chars.len()
                    && (chars[k].1.is_uppercase()
                        || (matches!(chars[k].1, '"' | '“' | '‘' | '*' | '_')
                            && chars.get(k + 1).is_some_and(|n| n.1.is_uppercase())));
                let word: String = chars[..i]
                    .iter()
                    .rev()
                    .map(|(_, c)| *c)
                    .take_while(|c| c.is_alphanumeric() || *c == '.')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let abbreviation = c == '.'
                    && (word.chars().count() == 1 && word.chars().all(char::is_uppercase)
                        || word.contains('.')
                        || TITLES.contains(&word.as_str()));
                if spaced && next_capital && !abbreviation {
                    let end = chars[k].0;
                    out.push(start..end);
                    start = end;
                    i = k;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < block.len() {
        out.push(start..block.len());
    }
    out
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

    fn cut(block: &str) -> Vec<&str> {
        sentences(block).into_iter().map(|r| &block[r]).collect()
    }

    #[test]
    fn a_block_is_cut_into_its_sentences_and_nowhere_else() {
        assert_eq!(
            cut("We left early. The boats came in! Did \"they\" see? Yes."),
            [
                "We left early. ",
                "The boats came in! ",
                "Did \"they\" see? ",
                "Yes."
            ]
        );
        assert_eq!(
            cut("Dr. Ada met J. Smith, i.e. Mr. Jones. Then `a. B` ran [see. Here](x). Fine."),
            [
                "Dr. Ada met J. Smith, i.e. Mr. Jones. ",
                "Then `a. B` ran [see. Here](x). ",
                "Fine."
            ]
        );
        assert_eq!(
            cut("version 2.0 is out. so it goes"),
            ["version 2.0 is out. so it goes"]
        );
        assert_eq!(cut(""), Vec::<&str>::new());
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
