//! Sentence splitting for news text.
//!
//! The splitter works in three stages, all on byte offsets into the caller's string so that
//! every sentence can point back at its source:
//!
//! 1. **Hard boundaries: every line break ends a sentence** (LF, CR, CRLF, NEL, U+2028, U+2029).
//!    News text puts headlines, bylines, datelines, list items and paragraphs on lines of their
//!    own, and a headline has no stop, so a line break is the only sign that it has ended. We
//!    chose this over guessing which lines "look like a headline" because it is predictable and
//!    the guess goes wrong on titles that end in a stop. The cost: text hard-wrapped in the
//!    middle of a sentence is split at each wrap, so unwrap such text before calling.
//! 2. **Candidates:** within a line, the sentence boundaries of Unicode UAX #29
//!    (`unicode-segmentation`). They already keep decimals (`3.5%`, `$1.2bn`), domains and
//!    e-mail addresses (`stance.example.org`), the inner dots of `U.S.`, an ellipsis before a
//!    lowercase word, and closing quotes and brackets after a stop with their sentence; and they
//!    end sentences at `?`, `!`, `。`, `।` and other scripts' stops. We add two candidates that
//!    UAX #29 lacks: after a Unicode ellipsis `…` before a capital, and after `. ` before a
//!    digit ("born in 1990. 2000 people came." is two sentences).
//! 3. **Merging:** UAX #29 breaks after *every* `. ` followed by a capital, so each candidate
//!    is re-examined and dropped when the text before it ends in an abbreviation or an initial
//!    (`Mr.`, `J. R.`), a number abbreviation before a number (`No. 10`, `Jan. 5`), a list
//!    number at the start of a line (`1.`), or when the text after it starts in lowercase
//!    (`"Stop!" he said`).
//!    Abbreviations that can also end a sentence (`U.S.`, `Inc.`, `a.m.`, `Jan.`, `etc.`) keep
//!    the boundary only when the next word is a common sentence opener (`The`, `He`, `But`, ...):
//!    "imposed by the U.S. The talks failed." is two sentences, "the U.S. President spoke" one.

use unicode_segmentation::UnicodeSegmentation;

/// A sentence as a byte range into the input; `start..end` is trimmed of surrounding whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
}

impl SentenceSpan {
    /// The sentence's text in `input`, the string it was split from. A span that does not fit
    /// `input` (say, from another string) gives `""` rather than a panic.
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        input.get(self.start..self.end).unwrap_or("")
    }
}

/// Split news text into sentences.
///
/// Every non-whitespace character of `text` lies in exactly one returned span; spans are in
/// order, never empty, and never cross a line break.
pub fn sentence_spans(text: &str) -> Vec<SentenceSpan> {
    let mut spans = Vec::new();
    for (line_start, line) in hard_lines(text) {
        for (start, end) in line_sentences(line) {
            spans.push(SentenceSpan {
                start: line_start + start,
                end: line_start + end,
            });
        }
    }
    spans
}

/// Titles and Latin connectives that never end a sentence, so a boundary after them is never
/// real. Stored without the final period; matched as written or in all capitals.
const NEVER_FINAL: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Prof", "Gen", "Col", "Lt", "Sgt", "Capt", "Adm", "Cmdr", "Maj",
    "Brig", "Cpl", "Pvt", "Gov", "Sen", "Sens", "Rep", "Reps", "Pres", "Rev", "Fr", "Hon", "Det",
    "Supt", "Atty", "Sec", "Mt", "Ft", "vs", "v", "e.g", "i.e", "approx", "cf", "viz", "ca",
];

/// Abbreviations only in front of a number (`No. 10`, `Nos. 3 and 4`); "No." before anything
/// else is the word "no" ending a sentence.
const BEFORE_NUMBER: &[&str] = &["No", "Nos", "Vol", "Art", "Fig", "p", "pp", "para"];

/// Abbreviations that may also end a sentence ("talks with the U.S.", "a unit of Acme Inc.").
/// Dotted initialisms (`N.Y.`, `J.R.`) and single capital initials are treated the same way
/// without being listed.
const MAYBE_FINAL: &[&str] = &[
    "U.S", "U.N", "U.K", "E.U", "a.m", "p.m", "etc", "Inc", "Ltd", "Corp", "Co", "Bros", "Jr",
    "Sr", "Esq", "Ph.D", "Dr", "St", "Ave", "Blvd", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];

/// Words that, capitalised after a sentence-final-capable abbreviation, show that a new sentence
/// has begun ("by the U.S. The talks failed."). Names and nouns are deliberately absent: after
/// `U.S.` or `Inc.` a capitalised noun usually continues the sentence ("U.S. President").
#[rustfmt::skip]
const SENTENCE_STARTERS: &[&str] = &[
    "A", "After", "Although", "An", "And", "As", "At", "Because", "Before", "Both", "But", "By",
    "Despite", "During", "Each", "Earlier", "Every", "For", "From", "Furthermore", "He", "Her",
    "Here", "His", "However", "I", "If", "In", "Instead", "It", "Its", "Later", "Many", "Meanwhile",
    "Moreover", "Most", "My", "Nevertheless", "Now", "On", "Or", "Our", "She", "Since", "So",
    "Some", "Still", "That", "The", "Their", "Then", "There", "These", "They", "This", "Those",
    "Though", "Thus", "Today", "Under", "We", "What", "When", "Where", "While", "Who", "Why",
    "With", "Yet", "You",
];

/// How the word before a candidate boundary treats that boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abbreviation {
    /// Never ends a sentence: the boundary is dropped.
    NeverFinal,
    /// An abbreviation only before a number.
    BeforeNumber,
    /// Ends a sentence only when a sentence opener follows.
    MaybeFinal,
}

/// How the text before a candidate boundary ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending<'a> {
    /// A word and a single period, e.g. `Mr.` gives `Mr`; the word is free of opening quotes.
    Period(&'a str),
    /// Anything else: `?`, `!`, an ellipsis, a quote or bracket closed after the stop, `。`, ...
    /// UAX #29's boundary stands (unless lowercase follows).
    Other,
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '"' | '\'' | '“' | '‘' | '„' | '‚' | '«' | '‹' | '「' | '『' | '（'
    )
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '}' | '"' | '\'' | '”' | '’' | '»' | '›' | '」' | '』' | '）'
    )
}

/// The input cut after each line break, with each piece's byte offset. The break stays at the
/// end of its piece (it is whitespace and gets trimmed), so no slicing is needed here.
fn hard_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive(is_line_break).map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line)
    })
}

/// The sentences of one line, as trimmed byte ranges relative to the line.
fn line_sentences(line: &str) -> Vec<(usize, usize)> {
    let pieces = candidate_pieces(line);
    merge_pieces(line, &pieces)
}

/// UAX #29 sentence segments of `line`, further cut where [`extra_breaks`] finds a boundary,
/// trimmed of whitespace; whitespace-only segments are dropped.
fn candidate_pieces(line: &str) -> Vec<(usize, usize)> {
    let mut pieces = Vec::new();
    for (offset, segment) in line.split_sentence_bound_indices() {
        let mut start = 0;
        for cut in extra_breaks(segment)
            .into_iter()
            .chain(std::iter::once(segment.len()))
        {
            push_trimmed(
                &mut pieces,
                offset + start,
                segment.get(start..cut).unwrap_or(""),
            );
            start = cut;
        }
    }
    pieces
}

/// Byte offsets in a UAX #29 segment where a sentence may start though UAX #29 sees none:
/// - after `…` and a space before a capital: UAX #29 does not count the ellipsis character as
///   a stop, though "We waited… Then it came." is two sentences;
/// - after a single `.` and a space before a digit: UAX #29 reads on to the next lowercase
///   word, so "born in 1990. 2000 people came." would stay whole. The merge step joins such
///   a cut again after `No.`, `Jan.`, `approx.` and the like.
fn extra_breaks(segment: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut chars = segment.char_indices().peekable();
    let mut previous = None;
    while let Some((_, c)) = chars.next() {
        let next_is_period = chars.peek().is_some_and(|&(_, n)| n == '.');
        let starts_next: fn(char) -> bool = match c {
            '…' => char::is_uppercase,
            '.' if previous != Some('.') && !next_is_period => |n| n.is_ascii_digit(),
            _ => {
                previous = Some(c);
                continue;
            }
        };
        previous = Some(c);
        while chars.next_if(|&(_, c)| is_closing(c)).is_some() {}
        let mut saw_space = false;
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {
            saw_space = true;
        }
        if let Some(&(at, next)) = chars.peek() {
            if saw_space && starts_next(next) {
                breaks.push(at);
            }
        }
    }
    breaks
}

/// Push `piece` (found at `offset`) trimmed of whitespace, unless nothing is left.
fn push_trimmed(pieces: &mut Vec<(usize, usize)>, offset: usize, piece: &str) {
    let leading = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let start = offset + leading;
        pieces.push((start, start + trimmed.len()));
    }
}

/// Join consecutive candidate pieces of a line wherever the boundary between them is not real.
fn merge_pieces(line: &str, pieces: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sentences: Vec<(usize, usize)> = Vec::new();
    for &(start, end) in pieces {
        let at_line_start = sentences.len() == 1;
        if let Some(last) = sentences.last_mut() {
            let left = line.get(last.0..last.1).unwrap_or("");
            let right = line.get(start..end).unwrap_or("");
            if continues_sentence(left, right, at_line_start) {
                last.1 = end;
                continue;
            }
        }
        sentences.push((start, end));
    }
    sentences
}

/// Whether the sentence `left` goes on into `right` across a UAX #29 candidate boundary.
/// `at_line_start` says `left` is the first sentence of its line.
fn continues_sentence(left: &str, right: &str, at_line_start: bool) -> bool {
    // UAX #29 breaks after `?`/`!` even before lowercase: `"Stop!" he said.` is one sentence.
    if starts_with_lowercase(right) {
        return true;
    }
    let Ending::Period(word) = ending(left) else {
        return false;
    };
    if at_line_start && is_list_marker(left) {
        return true;
    }
    match abbreviation_kind(word) {
        Some(Abbreviation::NeverFinal) => true,
        Some(Abbreviation::BeforeNumber) => starts_with_digit(right),
        // A clock time is never followed by a number in the same sentence, so after `a.m.` a
        // number opens one: "The strike began at 5 p.m. 300 workers joined."
        Some(Abbreviation::MaybeFinal) if is_time_of_day(word) && starts_with_digit(right) => false,
        // An initial followed by another initial is a name ("J. R. R. Tolkien", "J. A. Smith"),
        // even when the next initial is "A." or "I.", which are also sentence openers.
        Some(Abbreviation::MaybeFinal) => starts_with_initial(right) || !is_sentence_starter(right),
        None => false,
    }
}

/// Classify how `left` (trimmed, non-empty) ends, looking at its last whitespace-separated word.
fn ending(left: &str) -> Ending<'_> {
    let token = left.rsplit(char::is_whitespace).next().unwrap_or("");
    // A quote or bracket closed after the stop (`"No."`, `(Inc.)`) means the sentence is over.
    if token.ends_with(is_closing) || token.ends_with("..") {
        return Ending::Other;
    }
    match token.strip_suffix('.') {
        Some(word) => Ending::Period(word.trim_start_matches(is_opening)),
        None => Ending::Other,
    }
}

/// The abbreviation class of `word` (the word before a period), if it is one.
fn abbreviation_kind(word: &str) -> Option<Abbreviation> {
    let listed = |list: &[&str]| list.iter().any(|abbr| same_word(word, abbr));
    if listed(NEVER_FINAL) {
        Some(Abbreviation::NeverFinal)
    } else if listed(BEFORE_NUMBER) {
        Some(Abbreviation::BeforeNumber)
    } else if listed(MAYBE_FINAL) || is_initialism(word) {
        Some(Abbreviation::MaybeFinal)
    } else {
        None
    }
}

/// `word` is `listed` as written, or in all capitals as in a shouted headline (`GEN.`, `A.M.`).
/// Case matters otherwise: "ill." ending a sentence is not the state abbreviation "Ill.". A
/// one-letter entry (`p`, `v`) never matches in capitals, where it is an initial (`P. K. Rao`).
fn same_word(word: &str, listed: &str) -> bool {
    let several_letters = listed.chars().filter(|c| c.is_alphabetic()).count() > 1;
    word == listed || (several_letters && is_all_caps(word) && word.eq_ignore_ascii_case(listed))
}

fn is_time_of_day(word: &str) -> bool {
    same_word(word, "a.m") || same_word(word, "p.m")
}

fn is_all_caps(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// A capital initial (`J`) or dotted letters (`N.Y`, `J.R`, `a.m`), without the final period.
fn is_initialism(word: &str) -> bool {
    let mut letters = 0;
    for part in word.split('.') {
        let mut chars = part.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphabetic() => letters += 1,
            _ => return false,
        }
    }
    // A lone lowercase letter ("plan a.") is a word, not an initial.
    letters > 1 || word.chars().all(char::is_uppercase)
}

/// A list number such as `1.` or `a.` standing alone at the start of a line.
fn is_list_marker(left: &str) -> bool {
    let Some(label) = left.strip_suffix('.') else {
        return false;
    };
    let all_digits =
        !label.is_empty() && label.len() <= 3 && label.bytes().all(|b| b.is_ascii_digit());
    let one_letter = label.len() == 1 && label.bytes().all(|b| b.is_ascii_alphabetic());
    all_digits || one_letter
}

fn starts_with_lowercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

fn starts_with_digit(text: &str) -> bool {
    text.trim_start_matches(is_opening)
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// `text` begins with an initial or dotted initialism such as `R.` or `J.R.`.
fn starts_with_initial(text: &str) -> bool {
    let token = text.split(char::is_whitespace).next().unwrap_or("");
    token
        .trim_start_matches(is_opening)
        .strip_suffix('.')
        .is_some_and(is_initialism)
}

/// `text` begins (after any opening quote) with a word from [`SENTENCE_STARTERS`].
fn is_sentence_starter(text: &str) -> bool {
    let text = text.trim_start_matches(is_opening);
    let word_len = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    let word = text.get(..word_len).unwrap_or("");
    SENTENCE_STARTERS
        .iter()
        .any(|starter| same_word(word, starter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str) -> Vec<&str> {
        sentence_spans(text).iter().map(|s| s.text(text)).collect()
    }

    /// (input, expected sentences). Written for these tests, not taken from any corpus.
    const CASES: &[(&str, &[&str])] = &[
        // Titles and ranks.
        (
            "Mr. Lee and Mrs. Park met Ms. Diaz. They spoke briefly.",
            &["Mr. Lee and Mrs. Park met Ms. Diaz.", "They spoke briefly."],
        ),
        (
            "Dr. Okafor and Prof. Lindqvist disagreed. The panel adjourned.",
            &[
                "Dr. Okafor and Prof. Lindqvist disagreed.",
                "The panel adjourned.",
            ],
        ),
        (
            "Gen. Mark Hale, Col. Ruth Ames and Lt. Omar Said arrived.",
            &["Gen. Mark Hale, Col. Ruth Ames and Lt. Omar Said arrived."],
        ),
        (
            "Sgt. Ivo Rask and Capt. Nina Roy briefed Adm. Tess Cole.",
            &["Sgt. Ivo Rask and Capt. Nina Roy briefed Adm. Tess Cole."],
        ),
        (
            "Gov. Ana Ruiz called Sen. Bo Tate and Rep. Jo Finch. Pres. Vance did not.",
            &[
                "Gov. Ana Ruiz called Sen. Bo Tate and Rep. Jo Finch.",
                "Pres. Vance did not.",
            ],
        ),
        // Places and numbers.
        (
            "She lives on St. Mark Road near Mt. Kenya.",
            &["She lives on St. Mark Road near Mt. Kenya."],
        ),
        (
            "He walked into No. 10 Downing St. The door closed.",
            &["He walked into No. 10 Downing St.", "The door closed."],
        ),
        (
            "Reactors Nos. 3 and 4 were shut (see p. 4 and Fig. 2).",
            &["Reactors Nos. 3 and 4 were shut (see p. 4 and Fig. 2)."],
        ),
        (
            "Asked about it, she said No. Then she left.",
            &["Asked about it, she said No.", "Then she left."],
        ),
        // Months and dates.
        (
            "The vote is set for Sept. 14 in the capital.",
            &["The vote is set for Sept. 14 in the capital."],
        ),
        (
            "They met on Jan. 5. They talked for hours.",
            &["They met on Jan. 5.", "They talked for hours."],
        ),
        (
            "Talks ran from Oct. 2 to Nov. 9, then resumed in Dec. The deal came in Feb. 2025.",
            &[
                "Talks ran from Oct. 2 to Nov. 9, then resumed in Dec.",
                "The deal came in Feb. 2025.",
            ],
        ),
        (
            "Harvests end in Aug. But rain came early.",
            &["Harvests end in Aug.", "But rain came early."],
        ),
        // Companies.
        (
            "Shares of Norvik Inc. fell. Brava Ltd. and Tallis Corp. rose.",
            &[
                "Shares of Norvik Inc. fell.",
                "Brava Ltd. and Tallis Corp. rose.",
            ],
        ),
        (
            "The order went to Hart & Co. The rival bid failed.",
            &["The order went to Hart & Co.", "The rival bid failed."],
        ),
        (
            "A unit of Norvik Inc. Chief Executive Ada Moss said so.",
            &["A unit of Norvik Inc. Chief Executive Ada Moss said so."],
        ),
        // Country and organisation initialisms.
        (
            "Sanctions were imposed by the U.S. The talks failed.",
            &["Sanctions were imposed by the U.S.", "The talks failed."],
        ),
        (
            "The U.S. President spoke to the U.N. Security Council.",
            &["The U.S. President spoke to the U.N. Security Council."],
        ),
        (
            "Ties between the U.K. and the E.U. are strained. Both sides know it.",
            &[
                "Ties between the U.K. and the E.U. are strained.",
                "Both sides know it.",
            ],
        ),
        (
            "Sen. Ruiz (D-N.M.) voted no. Rep. Hall of Washington, D.C. The vote was close.",
            &[
                "Sen. Ruiz (D-N.M.) voted no.",
                "Rep. Hall of Washington, D.C.",
                "The vote was close.",
            ],
        ),
        // Latin and other mid-sentence abbreviations.
        (
            "Some states, e.g., Chile, agreed, i.e. most of the region did.",
            &["Some states, e.g., Chile, agreed, i.e. most of the region did."],
        ),
        (
            "Rice, wheat, etc. were rationed. Prices rose.",
            &["Rice, wheat, etc. were rationed.", "Prices rose."],
        ),
        (
            "They sold rice, wheat, etc. The market closed early.",
            &["They sold rice, wheat, etc.", "The market closed early."],
        ),
        (
            "It was Lyon vs. Porto in the final, with approx. 40,000 fans.",
            &["It was Lyon vs. Porto in the final, with approx. 40,000 fans."],
        ),
        // Times.
        (
            "The blast came at 6 a.m. It shook the port.",
            &["The blast came at 6 a.m.", "It shook the port."],
        ),
        (
            "The curfew starts at 9 p.m. Eastern time on Friday.",
            &["The curfew starts at 9 p.m. Eastern time on Friday."],
        ),
        (
            "The strike began at 5 p.m. 300 workers joined. U.S. 10-year yields rose.",
            &[
                "The strike began at 5 p.m.",
                "300 workers joined.",
                "U.S. 10-year yields rose.",
            ],
        ),
        // Initials.
        (
            "J. R. R. Tolkien wrote it. Readers loved it.",
            &["J. R. R. Tolkien wrote it.", "Readers loved it."],
        ),
        (
            "Gen. J. R. Allen visited. Gen. J. A. Ross did not.",
            &["Gen. J. R. Allen visited.", "Gen. J. A. Ross did not."],
        ),
        (
            "Lt. Gen. P. K. Rao took command. Harry S. Truman did not.",
            &[
                "Lt. Gen. P. K. Rao took command.",
                "Harry S. Truman did not.",
            ],
        ),
        (
            "Voters chose Plan B. The count took days.",
            &["Voters chose Plan B.", "The count took days."],
        ),
        // Numbers.
        (
            "Growth slowed to 3.5% as debt hit $1.2bn. Exports fell 2.5 million tons.",
            &[
                "Growth slowed to 3.5% as debt hit $1.2bn.",
                "Exports fell 2.5 million tons.",
            ],
        ),
        (
            "The index closed at 1,204.75. Traders shrugged.",
            &["The index closed at 1,204.75.", "Traders shrugged."],
        ),
        (
            "She was born in 1990. 2000 people came to the funeral.",
            &["She was born in 1990.", "2000 people came to the funeral."],
        ),
        // Ellipses.
        (
            "We waited... Then it came.",
            &["We waited...", "Then it came."],
        ),
        ("It was... fine, really.", &["It was... fine, really."]),
        (
            "We waited… Then it came… slowly.",
            &["We waited…", "Then it came… slowly."],
        ),
        // Quotes and brackets after the stop.
        (
            "He said \"No.\" Then he left.",
            &["He said \"No.\"", "Then he left."],
        ),
        (
            "She asked, “Is it over?” He nodded.",
            &["She asked, “Is it over?”", "He nodded."],
        ),
        (
            "“We will rebuild.” The mayor left the stage.",
            &["“We will rebuild.”", "The mayor left the stage."],
        ),
        (
            "The aide called it ‘a farce.’ Others agreed.",
            &["The aide called it ‘a farce.’", "Others agreed."],
        ),
        (
            "(The ministry did not reply.) Talks resume today. [Updated at noon.] More soon.",
            &[
                "(The ministry did not reply.)",
                "Talks resume today.",
                "[Updated at noon.]",
                "More soon.",
            ],
        ),
        (
            "“Stop!” he shouted. “Why?” she asked.",
            &["“Stop!” he shouted.", "“Why?” she asked."],
        ),
        // Question and exclamation marks.
        (
            "Is this war?! Nobody knows. Really? Yes!",
            &["Is this war?!", "Nobody knows.", "Really?", "Yes!"],
        ),
        // Line breaks, headlines, lists.
        (
            "Floods hit the delta\nThousands fled their homes.",
            &["Floods hit the delta", "Thousands fled their homes."],
        ),
        (
            "The first paragraph ends here\n\nThe second one starts here.",
            &[
                "The first paragraph ends here",
                "The second one starts here.",
            ],
        ),
        (
            "Key points:\r\n1. Rates stay high.\r\n2. The Fed waits.\r\n10. Markets calm.",
            &[
                "Key points:",
                "1. Rates stay high.",
                "2. The Fed waits.",
                "10. Markets calm.",
            ],
        ),
        (
            "Ceasefire holds\u{2028}Aid trucks crossed at dawn.",
            &["Ceasefire holds", "Aid trucks crossed at dawn."],
        ),
        // URLs and e-mail addresses.
        (
            "Visit stance.example.org for details. Or write to desk@news.example.com today.",
            &[
                "Visit stance.example.org for details.",
                "Or write to desk@news.example.com today.",
            ],
        ),
        (
            "Read https://example.com/a/b.html now. It explains everything.",
            &[
                "Read https://example.com/a/b.html now.",
                "It explains everything.",
            ],
        ),
        (
            "The tip came from desk@news.example.com. The editor checked it.",
            &[
                "The tip came from desk@news.example.com.",
                "The editor checked it.",
            ],
        ),
        (
            "Oil hit $91.40 a barrel on Friday. 12 tankers waited offshore.",
            &[
                "Oil hit $91.40 a barrel on Friday.",
                "12 tankers waited offshore.",
            ],
        ),
        // Other scripts.
        (
            "今天下雨了。我们待在家里！你呢？",
            &["今天下雨了。", "我们待在家里！", "你呢？"],
        ),
        (
            "他说：“我们会回来。”然后离开了。",
            &["他说：“我们会回来。”", "然后离开了。"],
        ),
        (
            "वह घर गया। फिर वह सो गया।",
            &["वह घर गया।", "फिर वह सो गया।"],
        ),
        // Capitals in a shouted headline.
        (
            "GEN. HALE VISITS U.S. TROOPS",
            &["GEN. HALE VISITS U.S. TROOPS"],
        ),
        // Nothing to split.
        ("", &[]),
        ("   \n\t \n ", &[]),
        ("No stop at the end", &["No stop at the end"]),
    ];

    #[test]
    fn table_of_tricky_cases() {
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|&(input, expected)| {
                let got = split(input);
                (got != expected).then(|| format!("{input:?}\n  want {expected:?}\n  got  {got:?}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            CASES.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn span_text_outside_its_input_is_empty() {
        let span = SentenceSpan { start: 2, end: 40 };
        assert_eq!(span.text("short"), "");
        // Not on a char boundary: 'é' is two bytes.
        assert_eq!(SentenceSpan { start: 0, end: 1 }.text("é"), "");
    }

    #[test]
    fn spans_are_byte_offsets_into_the_input() {
        let text = "  Première phrase.  Second one.\n";
        assert_eq!(
            sentence_spans(text),
            vec![
                SentenceSpan { start: 2, end: 19 },
                SentenceSpan { start: 21, end: 32 },
            ]
        );
    }

    /// Check every invariant the splitter promises, for any input.
    fn check_invariants(text: &str) -> Result<(), TestCaseError> {
        let spans = sentence_spans(text);
        prop_assert_eq!(&spans, &sentence_spans(text), "not deterministic");
        let mut previous_end = 0;
        for span in &spans {
            prop_assert!(span.start < span.end, "empty span {:?}", span);
            prop_assert!(
                previous_end <= span.start,
                "spans overlap or are out of order"
            );
            prop_assert!(span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let sentence = span.text(text);
            prop_assert_eq!(sentence, sentence.trim(), "untrimmed span");
            prop_assert!(
                !sentence.contains(is_line_break),
                "span crosses a line break"
            );
            previous_end = span.end;
        }
        for (at, c) in text.char_indices() {
            let covering = spans.iter().filter(|s| s.start <= at && at < s.end).count();
            // Whitespace inside a sentence is covered; around sentences it is not.
            if !c.is_whitespace() {
                prop_assert_eq!(
                    covering,
                    1,
                    "char {:?} at {} is in {} spans",
                    c,
                    at,
                    covering
                );
            }
        }
        Ok(())
    }

    /// Pieces of news-like text, glued together in random order by `news_like`.
    const FRAGMENTS: &[&str] = &[
        "The",
        "talks",
        "failed",
        "he",
        "said",
        "Mr.",
        "Dr.",
        "U.S.",
        "U.N.",
        "Inc.",
        "Co.",
        "a.m.",
        "p.m.",
        "etc.",
        "e.g.,",
        "No.",
        "Nos.",
        "Jan.",
        "Sept.",
        "St.",
        "J.",
        "R.",
        "A.",
        "I",
        ".",
        "...",
        "…",
        "?",
        "!",
        "?!",
        "\"",
        "“",
        "”",
        "‘",
        "’",
        "(",
        ")",
        "[",
        "]",
        "3.5%",
        "$1.2bn",
        "10",
        "2.5",
        "1.",
        "example.com",
        "desk@news.example.com",
        "\n",
        "\n\n",
        "\r\n",
        "\u{2028}",
        "。",
        "।",
        "下雨",
        "घर",
        "é",
        "\u{301}",
        "\u{200b}",
        "\t",
    ];
    const GLUE: &[&str] = &[" ", " ", "", "  ", "\n", "\u{a0}"];

    fn news_like() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (prop::sample::select(FRAGMENTS), prop::sample::select(GLUE)),
            0..60,
        )
        .prop_map(|parts| {
            parts
                .into_iter()
                .flat_map(|(word, glue)| [word, glue])
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn invariants_hold_on_arbitrary_unicode(text in any::<String>()) {
            check_invariants(&text)?;
        }

        #[test]
        fn invariants_hold_on_punctuation_heavy_text(
            text in "[ \t\n\r.!?…。।\"'“”‘’()\\[\\]aAzZ09\u{2028}\u{85}\u{a0}\u{301}]{0,80}"
        ) {
            check_invariants(&text)?;
        }

        #[test]
        fn invariants_hold_on_news_like_text(text in news_like()) {
            check_invariants(&text)?;
        }
    }
}
