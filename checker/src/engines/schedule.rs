//! shuttle schedules as text, printed with a counterexample and read back for replay.

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A shuttle schedule as text: `TASKS.CHOICES`, one base-36 digit per scheduling
/// decision (the task that ran) and per choice value.
pub(crate) fn encode_schedule(tasks: &[usize], choices: &[u8]) -> String {
    let digit = |x: usize| char::from(DIGITS[x.min(35)]);
    let mut s: String = tasks.iter().map(|&t| digit(t)).collect();
    s.push('.');
    s.extend(choices.iter().map(|&c| digit(usize::from(c))));
    s
}

/// Inverse of [`encode_schedule`]; `None` if it does not parse.
#[cfg(any(feature = "shuttle", test))]
pub(crate) fn decode_schedule(s: &str) -> Option<(Vec<usize>, Vec<u8>)> {
    let (tasks, choices) = s.split_once('.')?;
    let val = |c: char| c.to_digit(36);
    let tasks = tasks
        .chars()
        .map(|c| val(c).map(|v| v as usize))
        .collect::<Option<Vec<_>>>()?;
    let choices = choices
        .chars()
        .map(|c| val(c).map(|v| v as u8))
        .collect::<Option<Vec<_>>>()?;
    Some((tasks, choices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_round_trip_as_text() {
        let (tasks, choices) = (vec![0, 1, 1, 3, 12, 0], vec![1, 0, 2]);
        let s = encode_schedule(&tasks, &choices);
        assert_eq!(s, "0113c0.102");
        assert_eq!(decode_schedule(&s), Some((tasks, choices)));
        assert_eq!(decode_schedule("01"), None);
        assert_eq!(decode_schedule("0!.1"), None);
    }
}
