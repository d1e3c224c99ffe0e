//! The report state machine: the only place that decides which status follows which action by whom. Pure: no
//! database, no clock; the service layer supplies the facts and applies the result.
use async_graphql::Enum;

/// Where a report stands (stored in `report.status`; the GraphQL enum `Status`).
pub use entity::enums::ReportStatus as Status;

/// Every status, for exhaustive checks.
pub const ALL_STATUSES: [Status; 10] = [
    Status::Submitted,
    Status::Acknowledged,
    Status::Dispatched,
    Status::InProgress,
    Status::Resolved,
    Status::Closed,
    Status::Rejected,
    Status::Duplicate,
    Status::Cancelled,
    Status::Reopened,
];

/// No action moves a report out of these.
pub fn is_terminal(s: Status) -> bool {
    match s {
        Status::Closed | Status::Rejected | Status::Duplicate | Status::Cancelled => true,
        Status::Submitted
        | Status::Acknowledged
        | Status::Dispatched
        | Status::InProgress
        | Status::Resolved
        | Status::Reopened => false,
    }
}

/// What someone can do to a report.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `acknowledgeReport`
    Acknowledge,
    /// `dispatchReport`
    Dispatch,
    /// `startWork`
    StartWork,
    /// `resolveReport`
    Resolve,
    /// `closeReport` (and the automatic close)
    Close,
    /// `confirmResolution`
    Confirm,
    /// `reopenReport`
    Reopen,
    /// `cancelReport`
    Cancel,
    /// `rejectReport`
    Reject,
    /// `markDuplicate`
    MarkDuplicate,
    /// `addComment`
    Comment,
    /// `urgeReport`
    Urge,
}

/// Every action, for exhaustive checks and `availableActions`.
pub const ALL_ACTIONS: [Action; 12] = [
    Action::Acknowledge,
    Action::Dispatch,
    Action::StartWork,
    Action::Resolve,
    Action::Close,
    Action::Confirm,
    Action::Reopen,
    Action::Cancel,
    Action::Reject,
    Action::MarkDuplicate,
    Action::Comment,
    Action::Urge,
];

/// How the acting user relates to the report (a user may be several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Party {
    /// Who reported it.
    Reporter,
    /// The neighbour head of its neighbourhood, or the group or area head above.
    Head,
    /// A community admin of its community.
    Admin,
    /// Staff of the company it was dispatched to.
    Staff,
    /// The server itself (the automatic close).
    System,
}

/// Every party, for exhaustive checks.
pub const ALL_PARTIES: [Party; 5] = [Party::Reporter, Party::Head, Party::Admin, Party::Staff, Party::System];

/// What the machine needs to know beyond the status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// A property company has been assigned (the report was dispatched at some point).
    pub has_company: bool,
    /// The resident confirmed the resolution.
    pub confirmed: bool,
    /// The reporter urged within the last 24 hours.
    pub urged_recently: bool,
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This party may never do this action to this report (FORBIDDEN).
    NotAllowed,
    /// The party may, but not in the current status (CONFLICT, with the status).
    WrongStatus,
    /// Allowed, but too soon after the last time (RATE_LIMITED).
    TooSoon,
}

/// The status after `party` does `action` to a report in `status`, or why not. A refusal is `WrongStatus` when the
/// party could do this action to this report in some other status (or once the resident has confirmed), and
/// `NotAllowed` when it never could.
pub fn next(status: Status, action: Action, party: Party, f: Facts) -> Result<Status, Refusal> {
    if let Some(to) = target(status, action, party, f) {
        if action == Action::Urge && f.urged_recently {
            return Err(Refusal::TooSoon);
        }
        return Ok(to);
    }
    // Only statuses this report could be in: a company is assigned exactly from the first dispatch on.
    let consistent = |s: Status| match s {
        Status::Submitted | Status::Acknowledged => !f.has_company,
        Status::Dispatched => f.has_company,
        Status::InProgress
        | Status::Resolved
        | Status::Closed
        | Status::Rejected
        | Status::Duplicate
        | Status::Cancelled
        | Status::Reopened => true,
    };
    let possible = ALL_STATUSES.into_iter().filter(|s| consistent(*s)).any(|s| {
        [false, true].into_iter().any(|confirmed| target(s, action, party, Facts { confirmed, ..f }).is_some())
    });
    Err(if possible { Refusal::WrongStatus } else { Refusal::NotAllowed })
}

/// The transition table: for each action (the compiler asks for every one), the statuses it moves on from and
/// who may do it there. A status an action does not name is refused there: deny by default, and the exhaustive
/// table test below pins every combination.
fn target(status: Status, action: Action, party: Party, f: Facts) -> Option<Status> {
    use Action as A;
    use Party as P;
    use Status as S;
    let lead = matches!(party, P::Head | P::Admin);
    let staff = party == P::Staff;
    let reporter = party == P::Reporter;
    let to = |allowed: bool, to: Status| allowed.then_some(to);
    match action {
        A::Acknowledge => to(lead && status == S::Submitted, S::Acknowledged),
        A::Dispatch => to(lead && matches!(status, S::Acknowledged | S::Reopened), S::Dispatched),
        // Staff start dispatched work, or work again on a reopened report of theirs; a head takes up again a
        // reopened report that never went to a company.
        A::StartWork => to(
            (status == S::Dispatched && staff)
                || (status == S::Reopened && ((staff && f.has_company) || (lead && !f.has_company))),
            S::InProgress,
        ),
        // A head fixes it without the company; the company resolves what it works on.
        A::Resolve => to(
            (status == S::Acknowledged && lead)
                || (status == S::InProgress && ((staff && f.has_company) || (lead && !f.has_company))),
            S::Resolved,
        ),
        A::Close => to(status == S::Resolved && (party == P::System || (staff && f.confirmed && f.has_company)), S::Closed),
        // Confirming a head's own fix closes it; a company's fix is closed by the company.
        A::Confirm => to(status == S::Resolved && reporter && !f.confirmed, if f.has_company { S::Resolved } else { S::Closed }),
        A::Reopen => to(status == S::Resolved && reporter && !f.confirmed, S::Reopened),
        A::Cancel => to(reporter && matches!(status, S::Submitted | S::Acknowledged), S::Cancelled),
        A::Reject => to(lead && matches!(status, S::Submitted | S::Acknowledged), S::Rejected),
        A::MarkDuplicate => to(lead && matches!(status, S::Submitted | S::Acknowledged), S::Duplicate),
        A::Comment => to(party != P::System, status),
        A::Urge => to(
            reporter && matches!(status, S::Submitted | S::Acknowledged | S::Dispatched | S::InProgress | S::Reopened),
            status,
        ),
    }
}

/// The first party of `parties` that may do `action`, with the resulting status; or the most telling refusal
/// (a wrong status beats not allowed: the user may, just not now).
pub fn decide(status: Status, action: Action, parties: &[Party], f: Facts) -> Result<(Party, Status), Refusal> {
    let mut refusal = Refusal::NotAllowed;
    for &p in parties {
        match next(status, action, p, f) {
            Ok(s) => return Ok((p, s)),
            Err(Refusal::NotAllowed) => {}
            Err(r) => refusal = r,
        }
    }
    Err(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Party as P;
    use Status as S;

    /// Every allowed move, written out by hand from the issue: (from, action, party, has_company, confirmed) → to.
    /// Anything not listed must be refused.
    const ALLOWED: &[(Status, Action, Party, Option<bool>, Option<bool>, Status)] = &[
        (S::Submitted, A::Acknowledge, P::Head, None, None, S::Acknowledged),
        (S::Submitted, A::Acknowledge, P::Admin, None, None, S::Acknowledged),
        (S::Acknowledged, A::Dispatch, P::Head, None, None, S::Dispatched),
        (S::Acknowledged, A::Dispatch, P::Admin, None, None, S::Dispatched),
        (S::Reopened, A::Dispatch, P::Head, None, None, S::Dispatched),
        (S::Reopened, A::Dispatch, P::Admin, None, None, S::Dispatched),
        (S::Dispatched, A::StartWork, P::Staff, None, None, S::InProgress),
        (S::Reopened, A::StartWork, P::Staff, Some(true), None, S::InProgress),
        (S::Reopened, A::StartWork, P::Head, Some(false), None, S::InProgress),
        (S::Reopened, A::StartWork, P::Admin, Some(false), None, S::InProgress),
        (S::Acknowledged, A::Resolve, P::Head, None, None, S::Resolved),
        (S::Acknowledged, A::Resolve, P::Admin, None, None, S::Resolved),
        (S::InProgress, A::Resolve, P::Staff, Some(true), None, S::Resolved),
        (S::InProgress, A::Resolve, P::Head, Some(false), None, S::Resolved),
        (S::InProgress, A::Resolve, P::Admin, Some(false), None, S::Resolved),
        (S::Resolved, A::Close, P::Staff, Some(true), Some(true), S::Closed),
        (S::Resolved, A::Close, P::System, None, None, S::Closed),
        (S::Resolved, A::Confirm, P::Reporter, Some(true), Some(false), S::Resolved),
        (S::Resolved, A::Confirm, P::Reporter, Some(false), Some(false), S::Closed),
        (S::Resolved, A::Reopen, P::Reporter, None, Some(false), S::Reopened),
        (S::Submitted, A::Cancel, P::Reporter, None, None, S::Cancelled),
        (S::Acknowledged, A::Cancel, P::Reporter, None, None, S::Cancelled),
        (S::Submitted, A::Reject, P::Head, None, None, S::Rejected),
        (S::Acknowledged, A::Reject, P::Head, None, None, S::Rejected),
        (S::Submitted, A::Reject, P::Admin, None, None, S::Rejected),
        (S::Acknowledged, A::Reject, P::Admin, None, None, S::Rejected),
        (S::Submitted, A::MarkDuplicate, P::Head, None, None, S::Duplicate),
        (S::Acknowledged, A::MarkDuplicate, P::Head, None, None, S::Duplicate),
        (S::Submitted, A::MarkDuplicate, P::Admin, None, None, S::Duplicate),
        (S::Acknowledged, A::MarkDuplicate, P::Admin, None, None, S::Duplicate),
    ];

    fn expected(s: Status, a: Action, p: Party, f: Facts) -> Option<Status> {
        if a == A::Comment {
            return (p != P::System).then_some(s);
        }
        if a == A::Urge {
            let open = matches!(s, S::Submitted | S::Acknowledged | S::Dispatched | S::InProgress | S::Reopened);
            return (p == P::Reporter && open && !f.urged_recently).then_some(s);
        }
        ALLOWED
            .iter()
            .find(|(from, act, party, co, conf, _)| {
                *from == s
                    && *act == a
                    && *party == p
                    && co.is_none_or(|c| c == f.has_company)
                    && conf.is_none_or(|c| c == f.confirmed)
            })
            .map(|row| row.5)
    }

    #[test]
    fn every_combination_matches_the_table() {
        let mut allowed = 0;
        for s in ALL_STATUSES {
            for a in ALL_ACTIONS {
                for p in ALL_PARTIES {
                    for bits in 0..8u8 {
                        let f = Facts { has_company: bits & 1 != 0, confirmed: bits & 2 != 0, urged_recently: bits & 4 != 0 };
                        let got = next(s, a, p, f).ok();
                        assert_eq!(got, expected(s, a, p, f), "{s:?} --{a:?} by {p:?} with {f:?}");
                        allowed += got.is_some() as usize;
                    }
                }
            }
        }
        assert!(allowed > 0);
    }

    #[test]
    fn terminal_statuses_allow_only_comments() {
        for s in ALL_STATUSES.into_iter().filter(|s| is_terminal(*s)) {
            for a in ALL_ACTIONS.into_iter().filter(|a| *a != A::Comment) {
                for p in ALL_PARTIES {
                    assert!(next(s, a, p, Facts::default()).is_err(), "{s:?} {a:?} {p:?}");
                }
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        let f = Facts::default();
        assert_eq!(next(S::Submitted, A::Acknowledge, P::Reporter, f), Err(Refusal::NotAllowed));
        assert_eq!(next(S::Closed, A::Acknowledge, P::Head, f), Err(Refusal::WrongStatus));
        let co = Facts { has_company: true, ..f };
        assert_eq!(next(S::Dispatched, A::StartWork, P::Head, co), Err(Refusal::NotAllowed), "the company's work");
        assert_eq!(next(S::Resolved, A::Close, P::Staff, co), Err(Refusal::WrongStatus), "not confirmed yet");
        assert_eq!(next(S::Resolved, A::Close, P::Head, co), Err(Refusal::NotAllowed));
        assert_eq!(next(S::InProgress, A::Resolve, P::Head, co), Err(Refusal::NotAllowed), "the company resolves its work");
        let urged = Facts { urged_recently: true, ..f };
        assert_eq!(next(S::Submitted, A::Urge, P::Reporter, urged), Err(Refusal::TooSoon));
        // A head who is also the reporter may acknowledge: the best answer wins.
        assert_eq!(decide(S::Submitted, A::Acknowledge, &[P::Reporter, P::Head], f), Ok((P::Head, S::Acknowledged)));
        assert_eq!(decide(S::Closed, A::Acknowledge, &[P::Reporter, P::Head], f), Err(Refusal::WrongStatus));
    }

    #[test]
    fn the_happy_paths_walk_through() {
        let co = Facts { has_company: true, ..Facts::default() };
        let mut s = S::Submitted;
        for (a, p, f) in [
            (A::Acknowledge, P::Head, Facts::default()),
            (A::Dispatch, P::Head, Facts::default()),
            (A::StartWork, P::Staff, co),
            (A::Resolve, P::Staff, co),
            (A::Confirm, P::Reporter, co),
            (A::Close, P::Staff, Facts { confirmed: true, ..co }),
        ] {
            s = next(s, a, p, f).unwrap();
        }
        assert_eq!(s, S::Closed);
        let s = next(S::Acknowledged, A::Resolve, P::Head, Facts::default()).unwrap();
        assert_eq!(next(s, A::Confirm, P::Reporter, Facts::default()), Ok(S::Closed));
    }

    #[test]
    fn every_status_is_listed_once() {
        use sea_orm::Iterable;
        let listed: std::collections::HashSet<Status> = ALL_STATUSES.into_iter().collect();
        assert_eq!(listed.len(), ALL_STATUSES.len());
        assert_eq!(Status::iter().count(), ALL_STATUSES.len());
    }
}
