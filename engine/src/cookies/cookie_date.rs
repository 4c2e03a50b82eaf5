//! Cookie dates (RFC 6265bis §5.1.1): the forgiving parser browsers use for
//! the `Expires` attribute. It is not an HTTP-date parser: it scans tokens
//! and picks out a time, a day, a month and a year in any order.

/// Parses a cookie-date into seconds since the Unix epoch (UTC), or `None`
/// when the string is not a cookie-date (the `Expires` attribute is then
/// ignored, 6265bis §5.6.1 step 2).
pub fn parse_cookie_date(s: &str) -> Option<i64> {
    let mut time: Option<(u32, u32, u32)> = None;
    let mut day: Option<u32> = None;
    let mut month: Option<u32> = None;
    let mut year: Option<u32> = None;

    // 6265bis §5.1.1 step 1: split into date-tokens on delimiters.
    for token in s.as_bytes().split(|&b| is_delimiter(b)) {
        if token.is_empty() {
            continue;
        }
        // Step 2.1: the first token matching `time`.
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        // Step 2.2: the first token matching `day-of-month`.
        if day.is_none() {
            if let Some(d) = parse_digits_then_non_digit(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        // Step 2.3: the first token matching `month`.
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        // Step 2.4: the first token matching `year`.
        if year.is_none() {
            if let Some(y) = parse_digits_then_non_digit(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }

    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    // Steps 3 and 4: two-digit years.
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    // Step 5: range checks.
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Step 6: the date must exist (no 31 April, no 29 February 2023).
    if day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

/// 6265bis §5.1.1: `delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E`.
fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2F | 0x3B..=0x40 | 0x5B..=0x60 | 0x7B..=0x7E)
}

/// `min*maxDIGIT [ non-digit *OCTET ]`: the number, if the token starts with
/// `min` to `max` digits that are not followed by another digit.
fn parse_digits_then_non_digit(token: &[u8], min: usize, max: usize) -> Option<u32> {
    let n = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    Some(digits_value(&token[..n]))
}

fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// `time = hms-time [ non-digit *OCTET ]`, `hms-time = time-field ":"
/// time-field ":" time-field`, `time-field = 1*2DIGIT`.
fn parse_time(token: &[u8]) -> Option<(u32, u32, u32)> {
    let mut fields = [0u32; 3];
    let mut rest = token;
    for (i, field) in fields.iter_mut().enumerate() {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=2).contains(&n) {
            return None;
        }
        *field = digits_value(&rest[..n]);
        rest = &rest[n..];
        if i < 2 {
            if rest.first() != Some(&b':') {
                return None;
            }
            rest = &rest[1..];
        }
    }
    // After the last field: end of token or a non-digit (guaranteed by the
    // 1*2DIGIT count above, which stops at a non-digit or after 2 digits).
    if rest.first().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((fields[0], fields[1], fields[2]))
}

/// `month = ( "jan" / … / "dec" ) *OCTET`, case-insensitive.
fn parse_month(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let prefix = token.get(..3)?;
    MONTHS
        .iter()
        .position(|m| prefix.eq_ignore_ascii_case(&m[..]))
        .map(|i| i as u32 + 1)
}

fn is_leap(year: u32) -> bool {
    // February has 29 days when 1 March is 29 days after 1 February.
    let y = i64::from(year);
    days_from_civil(y, 3, 1) - days_from_civil(y, 2, 1) == 29
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn cookie_dates() {
        // (input, expected unix seconds, what it pins)
        let cases: &[(&str, Option<i64>, &str)] = &[
            (
                "Thu, 01 Jan 1970 00:00:00 GMT",
                Some(0),
                "§5.1.1: RFC 1123 form",
            ),
            (
                "Fri, 02 Jan 1970 00:00:01 GMT",
                Some(DAY + 1),
                "§5.1.1: RFC 1123 form",
            ),
            (
                "Wed, 09 Jun 2021 10:18:14 GMT",
                Some(1_623_233_894),
                "§5.1.1: RFC 1123 form",
            ),
            (
                "Wednesday, 09-Jun-21 10:18:14 GMT",
                Some(1_623_233_894),
                "§5.1.1 step 4: 21 → 2021",
            ),
            (
                "Wed, 09-Jun-99 10:18:14 GMT",
                Some(928_923_494),
                "§5.1.1 step 3: 99 → 1999",
            ),
            (
                "Wed Jun  9 10:18:14 2021",
                Some(1_623_233_894),
                "§5.1.1 step 2: asctime order",
            ),
            (
                "10:18:14 2021 jUN 09",
                Some(1_623_233_894),
                "§5.1.1 step 2: any order; month case-insensitive",
            ),
            (
                "Wed, 09 June 2021 10:18:14 GMT",
                Some(1_623_233_894),
                "§5.1.1: month = 3 letters *OCTET",
            ),
            (
                "Wed, 09 Jun 2021 10:18:14",
                Some(1_623_233_894),
                "§5.1.1: no zone needed",
            ),
            (
                "Wed, 09 Jun 2021 10:18",
                None,
                "§5.1.1 step 5: time missing",
            ),
            (
                "Wed, 09 Jun 10:18:14 GMT",
                None,
                "§5.1.1 step 5: year missing",
            ),
            (
                "Wed, 32 Jun 2021 10:18:14 GMT",
                None,
                "§5.1.1 step 5: day > 31",
            ),
            (
                "Wed, 31 Jun 2021 10:18:14 GMT",
                None,
                "§5.1.1 step 6: no 31 June",
            ),
            (
                "Sun, 29 Feb 2004 00:00:00 GMT",
                Some(1_078_012_800),
                "§5.1.1 step 6: leap day exists",
            ),
            (
                "Thu, 29 Feb 2001 00:00:00 GMT",
                None,
                "§5.1.1 step 6: no leap day in 2001",
            ),
            (
                "Wed, 09 Jun 1600 10:18:14 GMT",
                None,
                "§5.1.1 step 5: year < 1601",
            ),
            (
                "Wed, 09 Jun 2021 24:00:00 GMT",
                None,
                "§5.1.1 step 5: hour > 23",
            ),
            (
                "Wed, 09 Jun 2021 10:60:00 GMT",
                None,
                "§5.1.1 step 5: minute > 59",
            ),
            (
                "Wed, 09 Jun 2021 10:18:60 GMT",
                None,
                "§5.1.1 step 5: no leap seconds",
            ),
            (
                "Wed, 09 Jun 2021 100:18:14 GMT",
                None,
                "§5.1.1: time-field is 1*2DIGIT",
            ),
            (
                "Wed, 009 Jun 2021 10:18:14 GMT",
                None,
                "§5.1.1: day is 1*2DIGIT; 009 is not a day and the year slot takes it",
            ),
            ("", None, "§5.1.1 step 5: nothing found"),
            (
                "Thu, 01 Jan 1601 00:00:00 GMT",
                Some(-11_644_473_600),
                "§5.1.1 step 5: 1601 is the first year",
            ),
        ];
        for (input, expected, why) in cases {
            assert_eq!(parse_cookie_date(input), *expected, "{input:?}: {why}");
        }
    }
}
