//! Reports: residents report, heads acknowledge and handle or dispatch, property companies work and close,
//! residents confirm or reopen. Every status change goes through [`machine`] and lands on the timeline in the same
//! transaction.
pub mod act;
pub mod category;
pub mod jobs;
pub mod machine;
pub mod query;
pub mod scope;
pub mod similar;
pub mod similar_rank;
pub mod submit;
pub mod timeline;
pub mod view;

use entity::enums::{ActorRole, Moderation};
use entity::report;
use uuid::Uuid;

use crate::auth::{Role, Roles};
use machine::Party;

/// Urgency of a report (stored in `report.urgency`; the GraphQL enum `Urgency`).
pub use entity::enums::Urgency;

/// How a user stands toward one report: what they may see and as whom they may act.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// The parties the user acts as (empty: may not act).
    pub parties: Vec<Party>,
    /// May see the report at all (else NOT_FOUND).
    pub can_view: bool,
    /// May see who reported it, unmasked: the reporter, the heads above, a community admin.
    pub sees_reporter: bool,
    /// The role recorded on the timeline when this user acts as a head or admin.
    pub lead_role: Option<Role>,
}

/// Works out the standing of `user` (with `roles` and verified `homes`) toward `r` (in `street`). Pure: no database.
pub fn standing(user: Uuid, roles: &Roles, homes: &[Uuid], r: &report::Model, street: Option<Uuid>) -> Standing {
    let mut s = Standing::default();
    if r.reporter_id == user {
        s.parties.push(Party::Reporter);
    }
    let head_role = if r.neighbourhood_id.is_some_and(|n| roles.has(Role::NeighbourHead, n)) {
        Some(Role::NeighbourHead)
    } else if r.group_id.is_some_and(|g| roles.has(Role::GroupHead, g)) {
        Some(Role::GroupHead)
    } else if r.area_id.is_some_and(|a| roles.has(Role::AreaHead, a)) {
        Some(Role::AreaHead)
    } else {
        None
    };
    if head_role.is_some() {
        s.parties.push(Party::Head);
        s.lead_role = head_role;
    }
    // The street office is the last level reports climb to: its admins see and act on the street's reports as the
    // community office does.
    if roles.has(Role::CommunityAdmin, r.community_id) || street.is_some_and(|st| roles.has(Role::StreetAdmin, st)) {
        s.parties.push(Party::Admin);
        s.lead_role = s.lead_role.or(Some(Role::CommunityAdmin));
    }
    if r.company_id.is_some_and(|c| roles.has(Role::PropertyStaff, c)) {
        s.parties.push(Party::Staff);
    }
    let neighbour = r.neighbourhood_id.is_some_and(|n| homes.contains(&n));
    // A description under review (or not checked yet) is hidden from the neighbours until it passes.
    s.can_view = !s.parties.is_empty() || (neighbour && r.moderation == Moderation::Pass);
    s.sees_reporter = s.parties.iter().any(|p| matches!(p, Party::Reporter | Party::Head | Party::Admin));
    s
}

/// [`standing`] for the request's actor, loading the actor's homes only when they matter: when the actor is no
/// party to the report (a neighbour may still read it). Heads, staff and reporters cost no query here.
pub async fn standing_of(
    state: &crate::state::AppState,
    actor: &crate::auth::Actor,
    r: &report::Model,
) -> crate::error::AppResult<Standing> {
    let user = actor.user_id()?;
    let roles = actor.roles(state).await?;
    // The street only matters to a street admin (and comes from the lookup cache).
    let street = if roles.any(Role::StreetAdmin) {
        state.lookup.street_and_district(&state.db, r.community_id).await?.map(|(s, _)| s)
    } else {
        None
    };
    let st = standing(user, &roles, &[], r, street);
    if !st.parties.is_empty() {
        return Ok(st);
    }
    let mut st = match r.neighbourhood_id {
        Some(_) => standing(user, &roles, &actor.homes(state).await?, r, street),
        None => st,
    };
    // A supporter (one who said "me too", or whose report was merged into this one) follows it as a neighbour does.
    if !st.can_view && r.support_count > 0 && r.moderation == Moderation::Pass {
        st.can_view = crate::service::support::supports(state, user, r.id).await?;
    }
    Ok(st)
}

/// The role recorded on the timeline for a party.
pub fn role_label(party: Party, lead_role: Option<Role>) -> ActorRole {
    match party {
        Party::Reporter => ActorRole::Reporter,
        Party::Staff => ActorRole::PropertyStaff,
        Party::System => ActorRole::System,
        Party::Head | Party::Admin => match lead_role {
            Some(Role::NeighbourHead) => ActorRole::NeighbourHead,
            Some(Role::GroupHead) => ActorRole::GroupHead,
            Some(Role::AreaHead) => ActorRole::AreaHead,
            Some(
                Role::CommunityAdmin
                | Role::StreetAdmin
                | Role::DistrictAdmin
                | Role::PropertyStaff
                | Role::MerchantStaff,
            )
            | None => ActorRole::CommunityAdmin,
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::Grant;
    use chrono::Utc;

    fn report(reporter: Uuid, n: Uuid, g: Uuid, a: Uuid, c: Uuid, company: Option<Uuid>) -> report::Model {
        let now = Utc::now();
        report::Model {
            id: Uuid::now_v7(), created_at: now, description: "drain blocked".into(), urgency: Urgency::Normal,
            unit: None, room: None, public_area: None, latitude: None, longitude: None, anonymous: false,
            status: machine::Status::Submitted, version: 1, waiting_since: now, submitted_at: now, acknowledged_at: None,
            dispatched_at: None, started_at: None, resolved_at: None, closed_at: None, first_reopened_at: None,
            ended_at: None, confirmed_at: None, rating: None, rating_comment: None, auto_closed: false,
            reopen_count: 0, last_urged_at: None, idempotency_key: None, category_id: Uuid::now_v7(),
            reporter_id: reporter, compound_id: Uuid::now_v7(), building_id: None, neighbourhood_id: Some(n),
            group_id: Some(g), area_id: Some(a), community_id: c, company_id: company, duplicate_of: None,
            last_event_id: None, moderation: Moderation::Pass, last_event_kind: None, last_event_at: None,
            reporter_name: String::new(), sla_stage: None, sla_level: None, sla_stage_since: None, sla_warn_at: None,
            sla_due_at: None, sla_fires_at: None, sla_warned: false, sla_breached: false, sla_urges: 0,
            overall_minutes: 0, overall_since: None, escalated_at: None, escalations: 0, support_count: 0, queue_at: now,
        }
    }

    /// A report in neighbourhood `n` dispatched to `company`, reported by `reporter`.
    pub(crate) fn sample(reporter: Uuid, n: Uuid, company: Uuid) -> report::Model {
        report(reporter, n, Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Some(company))
    }

    fn roles(g: &[(Role, Uuid)]) -> Roles {
        Roles { grants: g.iter().map(|(r, s)| Grant { role: *r, scope: *s, ends_at: None }).collect() }
    }

    #[test]
    fn who_stands_where() {
        let [me, n, g, a, c, co, other] = [(); 7].map(|_| Uuid::now_v7());
        let r = report(me, n, g, a, c, Some(co));
        let none = Roles::default();
        assert_eq!(standing(me, &none, &[], &r, None).parties, vec![Party::Reporter]);
        let neighbour = standing(other, &none, &[n], &r, None);
        assert!(neighbour.can_view && neighbour.parties.is_empty() && !neighbour.sees_reporter);
        assert!(!standing(other, &none, &[Uuid::now_v7()], &r, None).can_view);
        let area = standing(other, &roles(&[(Role::AreaHead, a)]), &[], &r, None);
        assert_eq!((area.parties.clone(), area.lead_role), (vec![Party::Head], Some(Role::AreaHead)));
        let staff = standing(other, &roles(&[(Role::PropertyStaff, co)]), &[], &r, None);
        assert!(staff.can_view && !staff.sees_reporter);
        assert!(!standing(other, &roles(&[(Role::PropertyStaff, other)]), &[], &r, None).can_view);
        assert!(!standing(other, &roles(&[(Role::CommunityAdmin, other)]), &[], &r, None).can_view);
        assert!(!standing(other, &roles(&[(Role::NeighbourHead, other)]), &[], &r, None).can_view);
    }
}
