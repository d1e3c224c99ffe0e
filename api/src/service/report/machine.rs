//! The report state machine: the only place that decides which status follows which action by whom. Pure: no
//! database, no clock; the service layer supplies the facts and applies the result.
use async_graphql::Enum;

/// Where a report stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Sent by the resident, waiting for the neighbour head.
    Submitted,
    /// A head has seen it and taken it up.
    Acknowledged,
    /// Sent to the compound's property company.
    Dispatched,
    /// The property company is working on it.
    InProgress,
    /// Reported fixed; waiting for the resident to confirm (or reopen).
    Resolved,
    /// Done.
    Closed,
    /// Refused by a head, with a reason.
    Rejected,
    /// The same problem as an earlier report.
    Duplicate,
    /// Withdrawn by the reporter.
    Cancelled,
    /// The resident says it is not fixed.
    Reopened,
}

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

impl Status {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "SUBMITTED",
            Status::Acknowledged => "ACKNOWLEDGED",
            Status::Dispatched => "DISPATCHED",
            Status::InProgress => "IN_PROGRESS",
            Status::Resolved => "RESOLVED",
            Status::Closed => "CLOSED",
            Status::Rejected => "REJECTED",
            Status::Duplicate => "DUPLICATE",
            Status::Cancelled => "CANCELLED",
            Status::Reopened => "REOPENED",
        }
    }

    /// Reads the stored form.
    pub fn parse(s: &str) -> Option<Status> {
        ALL_STATUSES.into_iter().find(|x| x.as_str() == s)
    }

    /// No action moves a report out of these.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Rejected | Status::Duplicate | Status::Cancelled)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
        _ => true,
    };
    let possible = ALL_STATUSES.into_iter().filter(|s| consistent(*s)).any(|s| {
        [false, true].into_iter().any(|confirmed| target(s, action, party, Facts { confirmed, ..f }).is_some())
    });
    Err(if possible { Refusal::WrongStatus } else { Refusal::NotAllowed })
}

/// The transition table.
fn target(status: Status, action: Action, party: Party, f: Facts) -> Option<Status> {
    use Action as A;
    use Party as P;
    use Status as S;
    let lead = matches!(party, P::Head | P::Admin);
    let staff = party == P::Staff;
    let reporter = party == P::Reporter;
    match (action, status) {
        (A::Acknowledge, S::Submitted) if lead => Some(S::Acknowledged),
        (A::Dispatch, S::Acknowledged | S::Reopened) if lead => Some(S::Dispatched),
        // Staff start dispatched work, or work again on a reopened report of theirs; a head takes up again a
        // reopened report that never went to a company.
        (A::StartWork, S::Dispatched) if staff => Some(S::InProgress),
        (A::StartWork, S::Reopened) if (staff && f.has_company) || (lead && !f.has_company) => Some(S::InProgress),
        // A head fixes it without the company; the company resolves what it works on.
        (A::Resolve, S::Acknowledged) if lead => Some(S::Resolved),
        (A::Resolve, S::InProgress) if (staff && f.has_company) || (lead && !f.has_company) => Some(S::Resolved),
        (A::Close, S::Resolved) if party == P::System => Some(S::Closed),
        (A::Close, S::Resolved) if staff && f.confirmed && f.has_company => Some(S::Closed),
        // Confirming a head's own fix closes it; a company's fix is closed by the company.
        (A::Confirm, S::Resolved) if reporter && !f.confirmed => Some(if f.has_company { S::Resolved } else { S::Closed }),
        (A::Reopen, S::Resolved) if reporter && !f.confirmed => Some(S::Reopened),
        (A::Cancel, S::Submitted | S::Acknowledged) if reporter => Some(S::Cancelled),
        (A::Reject, S::Submitted | S::Acknowledged) if lead => Some(S::Rejected),
        (A::MarkDuplicate, S::Submitted | S::Acknowledged) if lead => Some(S::Duplicate),
        (A::Comment, s) if party != P::System => Some(s),
        (A::Urge, S::Submitted | S::Acknowledged | S::Dispatched | S::InProgress | S::Reopened) if reporter => Some(status),
        _ => None,
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
        for s in ALL_STATUSES.into_iter().filter(|s| s.is_terminal()) {
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
    fn stored_forms_round_trip() {
        for s in ALL_STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("DONE"), None);
    }
}
