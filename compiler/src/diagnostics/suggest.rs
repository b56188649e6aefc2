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
    within_edits(name, candidates, (name.chars().count() / 3).max(1))
}

/// The candidate at most `edits` edits from `name`, the closest first: a
/// near miss that is surely a typo, where [`did_you_mean`]'s looser bound
/// would also take a different name of similar words.
pub fn within_edits<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    edits: usize,
) -> Option<&'a str> {
    let mut candidates: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    candidates.sort_unstable();
    candidates
        .into_iter()
        .map(|candidate| (distance(name, candidate), candidate))
        .filter(|(d, _)| *d <= edits)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// The edit distance between two names, in characters, where swapping two
/// neighbours counts as one edit (`Tiem` is one edit from `Time`): the
/// optimal string alignment distance, computed over three rows.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX - 1);
            let mut value = (at(&previous, j) + cost)
                .min(at(&previous, j + 1) + 1)
                .min(at(&current, j) + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                value = value.min(at(&before, j - 1) + 1);
            }
            current.push(value);
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous.last().copied().unwrap_or(0)
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
        assert_eq!(distance("Tiem", "Time"), 1);
        assert_eq!(distance("ca", "abc"), 3);
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
