//! What one caller may see of a report and of the people on it: the one place that decides.
//!
//! A person's name or phone reaches a caller only through a [`ReportView`] (reports, their timeline and comments;
//! the console, Open311 and live updates use the same view) or [`public_name`] (heads and appointees, whose names
//! the grid shows to everyone). The reporter is the one who may be hidden: the reporter themself, the heads above
//! and a community admin see their name (and a masked phone); the company's staff and the neighbours see a masked
//! name; neighbours see nothing of an anonymous reporter. The reporter is recognised by identity wherever they
//! appear (their comments, their steps on the timeline), so no other field undoes the masking.
use std::sync::Arc;

use entity::enums::Moderation;
use entity::{app_user, report, report_comment, report_event};
use uuid::Uuid;

use super::Standing;
use super::machine::Party;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;

/// What an anonymous reporter is called to those who may not know who it is, where a name must be shown.
pub const ANONYMOUS: &str = "匿名居民";

/// A report as one caller may see it: the row and the caller's standing toward it.
#[derive(Clone, Debug)]
pub struct ReportView {
    /// The report.
    pub row: Arc<report::Model>,
    /// How the caller stands toward it.
    pub standing: Standing,
    /// The caller.
    pub viewer: Uuid,
}

/// Someone as the caller may see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonView {
    /// The user's id, to those who may know who it is.
    pub id: Option<Uuid>,
    /// The name, full or masked.
    pub name: String,
    /// The phone, full or masked, to those who may see it.
    pub phone: Option<String>,
}

impl ReportView {
    /// The view of `row` for `actor`, who has already been shown it (a page of their own reports, inbox or queue;
    /// [`super::act::load_visible`] for one report by id).
    pub async fn of(state: &AppState, actor: &Actor, row: Arc<report::Model>) -> AppResult<ReportView> {
        let standing = super::standing_of(state, actor, &row).await?;
        Ok(ReportView { viewer: actor.user_id()?, row, standing })
    }

    fn is_party(&self, p: Party) -> bool {
        self.standing.parties.contains(&p)
    }

    /// Whether the caller sees texts still under review or not checked yet: the heads, the company and the admins
    /// of the report (their authors see their own).
    pub fn sees_unchecked(&self) -> bool {
        self.standing.parties.iter().any(|p| match p {
            Party::Head | Party::Admin | Party::Staff => true,
            Party::Reporter | Party::System => false,
        })
    }

    /// Whether the caller may know who reported: no for other residents when the report is anonymous.
    fn knows_reporter_exists(&self) -> bool {
        !(self.row.anonymous && self.standing.parties.is_empty())
    }

    /// The reporter, with their phone (`phone`: read from the user only when asked for): null for other residents
    /// when anonymous.
    pub fn reporter(&self, phone: Option<&str>) -> Option<PersonView> {
        if !self.knows_reporter_exists() {
            return None;
        }
        let name = &self.row.reporter_name;
        Some(if self.standing.sees_reporter {
            let own = self.is_party(Party::Reporter);
            PersonView {
                id: Some(self.row.reporter_id),
                name: name.clone(),
                phone: phone.map(|p| if own { p.to_owned() } else { mask_phone(p) }),
            }
        } else {
            PersonView { id: None, name: mask_name(name), phone: None }
        })
    }

    /// The name of someone who acted on or wrote on the report (`user` named `name`): the reporter as
    /// [`ReportView::reporter`] shows them, anyone else by name. None: the caller may not know (an anonymous
    /// reporter to a neighbour).
    pub fn person_name(&self, user: Uuid, name: &str) -> Option<String> {
        if user != self.row.reporter_id || self.viewer == user {
            return Some(name.to_owned());
        }
        self.reporter(None).map(|p| p.name)
    }

    /// Whether the caller sees who supports the report ("me too"): its heads, company and admins; anyone else sees
    /// only their own support.
    pub fn sees_supporters(&self) -> bool {
        self.standing.parties.iter().any(|p| matches!(p, Party::Head | Party::Admin | Party::Staff))
    }

    /// A supporter's name as the caller may see it: in full to themself and to those who see the reporter's name
    /// (the heads and admins), else masked (the company's staff see `赵**`, as they see the reporter).
    pub fn supporter_name(&self, user: Uuid, name: &str) -> String {
        if user == self.viewer || self.standing.sees_reporter { name.to_owned() } else { mask_name(name) }
    }

    /// A comment's author as the caller may see them (a name is always shown: [`ANONYMOUS`] when hidden).
    pub fn author_name(&self, c: &report_comment::Model, author: Option<&app_user::Model>) -> String {
        let Some(u) = author else { return String::new() };
        self.person_name(c.author_id, &u.nickname).unwrap_or_else(|| ANONYMOUS.to_owned())
    }

    /// A timeline step's actor as the caller may see them (none for the system, or when hidden).
    pub fn actor_name(&self, e: &report_event::Model, actor: Option<&app_user::Model>) -> Option<String> {
        let (id, u) = (e.actor_id?, actor?);
        self.person_name(id, &u.nickname)
    }

    /// A step's note: shown once it passed the content check, and before that to its author and to those who see
    /// texts under review.
    pub fn note<'e>(&self, e: &'e report_event::Model) -> Option<&'e str> {
        let note = e.note.as_deref()?;
        let shown = e.moderation == Moderation::Pass || e.actor_id == Some(self.viewer) || self.sees_unchecked();
        shown.then_some(note)
    }
}

/// The name of a head or an appointee, which the grid shows to every logged-in user (heads are public figures of
/// their neighbourhood; a phone is never shown this way).
pub fn public_name(u: &app_user::Model) -> &str {
    &u.nickname
}

/// Masks a name for people who may not see who reported: `陈阿姨` → `陈**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).take(8).collect(),
        None => String::new(),
    }
}

/// Masks a phone number: `13580006666` → `135****6666`.
pub fn mask_phone(phone: &str) -> String {
    // Byte offsets of the 4th character and of the 4th from the end (a phone may hold non-ASCII characters).
    let n = phone.chars().count();
    if n < 7 {
        return "****".into();
    }
    let at = |k: usize| phone.char_indices().nth(k).map_or(phone.len(), |(i, _)| i);
    let (head, tail) = (&phone[..at(3)], &phone[at(n - 4)..]);
    let mut masked = String::with_capacity(head.len() + 4 + tail.len());
    masked.push_str(head);
    masked.push_str("****");
    masked.push_str(tail);
    masked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Grant, Role, Roles};
    use chrono::Utc;

    #[test]
    fn a_phone_keeps_its_first_three_and_last_four_characters() {
        assert_eq!(mask_phone("13580006666"), "135****6666");
        assert_eq!(mask_phone("+8613580006666"), "+86****6666");
        assert_eq!(mask_phone("1358000"), "135****8000");
        assert_eq!(mask_phone("135800"), "****");
        assert_eq!(mask_phone("电话一二三四五六七"), "电话一****四五六七");
    }

    fn view(viewer: Uuid, roles: &[(Role, Uuid)], homes: &[Uuid], r: &report::Model) -> ReportView {
        let roles = Roles { grants: roles.iter().map(|(role, s)| Grant { role: *role, scope: *s, ends_at: None }).collect() };
        ReportView { row: Arc::new(r.clone()), standing: super::super::standing(viewer, &roles, homes, r, None), viewer }
    }

    #[test]
    fn the_reporter_is_masked_the_same_wherever_they_appear() {
        let (reporter, staff, neighbour, head) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (n, company) = (Uuid::now_v7(), Uuid::now_v7());
        let mut r = super::super::tests::sample(reporter, n, company);
        r.reporter_name = "赵先生".into();
        r.anonymous = true;
        let by_staff = view(staff, &[(Role::PropertyStaff, company)], &[], &r);
        let by_neighbour = view(neighbour, &[], &[n], &r);
        let by_head = view(head, &[(Role::NeighbourHead, n)], &[], &r);
        assert_eq!(by_staff.reporter(Some("13912345678")).unwrap(), PersonView { id: None, name: "赵**".into(), phone: None });
        assert_eq!(by_staff.person_name(reporter, "赵先生").as_deref(), Some("赵**"));
        assert_eq!(by_neighbour.reporter(None), None);
        assert_eq!(by_neighbour.person_name(reporter, "赵先生"), None);
        assert_eq!(by_neighbour.person_name(head, "李阿姨").as_deref(), Some("李阿姨"), "others are shown by name");
        assert_eq!(by_head.person_name(reporter, "赵先生").as_deref(), Some("赵先生"));
        assert_eq!(by_head.reporter(Some("13912345678")).unwrap().phone.as_deref(), Some("139****5678"));
        let own = view(reporter, &[], &[n], &r);
        assert_eq!(own.reporter(Some("13912345678")).unwrap().phone.as_deref(), Some("13912345678"));
        let _ = Utc::now();
    }
}
