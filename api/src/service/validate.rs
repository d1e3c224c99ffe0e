//! Parse, don't validate: input strings become checked values here, with errors that name the field.
use crate::error::{AppError, AppResult};
use crate::msg;

/// Trims `raw` and checks it holds 1..=`max` characters and no control characters.
pub fn text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::bad_input(field, msg!("{} 不能为空", "{} must not be empty", field)));
    }
    let n = s.chars().count();
    if n > max {
        return Err(AppError::bad_input(
            field,
            msg!("{} 过长：最多 {} 个字符，现有 {}", "{} is too long: at most {} characters, got {}", field, max, n),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::bad_input(field, msg!("{} 含有控制字符", "{} contains control characters", field)));
    }
    Ok(s.to_owned())
}

/// A unit or place name (1..=64 characters).
pub fn name(raw: &str) -> AppResult<String> {
    text("name", raw, 64)
}

/// A room number such as `302` or `1-302` (1..=16 letters, digits or `-`).
pub fn room(raw: &str) -> AppResult<String> {
    let s = text("room", raw, 16)?;
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::bad_input(
            "room",
            msg!("房号只能包含字母、数字和“-”", "A room number may hold only letters, digits and '-'"),
        ));
    }
    Ok(s)
}

/// An integer within `lo..=hi`.
pub fn range(field: &'static str, v: i32, lo: i32, hi: i32) -> AppResult<i32> {
    if v < lo || v > hi {
        return Err(AppError::bad_input(
            field,
            msg!("{} 必须在 {} 到 {} 之间", "{} must be between {} and {}", field, lo, hi),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  幸福小区 ").unwrap(), "幸福小区");
        assert_eq!(name("   ").unwrap_err().code(), "BAD_USER_INPUT");
        assert!(name(&"楼".repeat(64)).is_ok());
        assert!(name(&"楼".repeat(65)).is_err());
        assert!(name("a\u{0007}b").is_err());
    }

    #[test]
    fn rooms_are_plain() {
        assert_eq!(room("1-302").unwrap(), "1-302");
        assert!(room("302; drop").is_err());
    }
}

/// Free text that may span lines (descriptions, comments): trimmed, `min..=max` characters, no control characters
/// other than newlines and tabs.
pub fn text_multiline(field: &'static str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    let s = raw.trim();
    let n = s.chars().count();
    if n < min {
        return Err(AppError::bad_input(
            field,
            msg!("{} 太短：至少 {} 个字符", "{} is too short: at least {} characters", field, min),
        ));
    }
    if n > max {
        return Err(AppError::bad_input(
            field,
            msg!("{} 过长：最多 {} 个字符，现有 {}", "{} is too long: at most {} characters, got {}", field, max, n),
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(AppError::bad_input(field, msg!("{} 含有控制字符", "{} contains control characters", field)));
    }
    Ok(s.to_owned())
}

/// The longest `search` a list takes.
pub const SEARCH_MAX_CHARS: usize = 50;

/// A list's `search` argument: None when blank, else trimmed and in lower case; BAD_INPUT when longer than
/// [`SEARCH_MAX_CHARS`].
pub fn search(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if t.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::bad_input("search", msg!("搜索词最多 50 个字", "A search is at most 50 characters")));
    }
    Ok(Some(t.to_lowercase()))
}

/// `lower(col) LIKE '%text%'` with `text` taken literally (`%`, `_` and `\` are characters, not wildcards).
pub fn contains<C: sea_orm::sea_query::IntoColumnRef>(col: C, text: &str) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
