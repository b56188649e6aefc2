//! "Did you mean": the closest known name to a misspelt one, if any is close.
//!
//! A case-insensitive match wins; otherwise the candidate at the smallest edit
//! distance, if that distance is at most a third of the name's length (at
//! least 1). Ties go to the candidate first in sorted order, so the answer
//! never depends on the order of a hash map. Nothing is suggested when
//! nothing is close: a far-fetched suggestion misleads more than none.

/// The candidate closest to `name`, if one is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut candidates: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    candidates.sort_unstable();
    candidates.dedup();
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (distance(name, candidate), candidate))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between two names, in characters, computed one
/// row at a time.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        // `diagonal` is the previous row's value left of the cell, `left`
        // the current row's value left of it.
        let mut diagonal = i;
        let mut left = i + 1;
        for (cell, cb) in row.iter_mut().skip(1).zip(&b) {
            let above = *cell;
            let value = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(left + 1);
            diagonal = above;
            *cell = value;
            left = value;
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("get_usr", "get_user"), 1);
        assert_eq!(distance("flaw", "lawn"), 2);
    }

    #[test]
    fn a_close_name_is_suggested() {
        let actions = ["get_user", "list_users", "suspend_user"];
        assert_eq!(did_you_mean("get_usr", actions), Some("get_user"));
        assert_eq!(did_you_mean("suspend_usr", actions), Some("suspend_user"));
    }

    #[test]
    fn a_different_case_wins_over_a_closer_spelling() {
        assert_eq!(
            did_you_mean("GET_USER", ["get_user", "GET_USERS"]),
            Some("get_user")
        );
    }

    #[test]
    fn nothing_is_suggested_when_nothing_is_close() {
        assert_eq!(did_you_mean("deactivate", ["get_user", "list_users"]), None);
        assert_eq!(did_you_mean("ab", ["xy"]), None);
    }

    #[test]
    fn ties_go_to_the_first_name_in_sorted_order() {
        assert_eq!(did_you_mean("cat", ["hat", "bat"]), Some("bat"));
    }
}
